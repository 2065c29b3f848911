import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePorts,
  host,
  listener,
  makeCertificate,
  mapping,
  type Obj,
  request,
  resourceDir,
  startEdge,
  tlsSecret,
  writeResources,
} from './edge.js';
import { echoed, expectNoRejectedUpdates, waitForListeners } from './feature-traffic.js';

/**
 * What a Listener and the ambassador Module ask of every request, on a real
 * Envoy: the security models (XFP, SECURE, INSECURE) deciding whether a TLS
 * Host's cleartext request is redirected, l7Depth deciding whether the
 * client's X-Forwarded-Proto and X-Forwarded-For are trusted (and with them
 * the Module's ip_deny on `remote` addresses), gzip, and the request buffer
 * limit. All on cleartext Listeners: a TLS Host (Redirect) is what makes the
 * security model visible.
 */
const skip = edgeSkipReason('e2e-envoy listeners');
if (skip) console.warn(skip);

const tlsHostname = 'shop.example.com';

function withSpec(l: Obj, spec: Obj): Obj {
  return { ...l, spec: { ...(l.spec as Obj), ...spec } };
}

describe.skipIf(skip !== undefined)('e2e-envoy: listener security models and Module policies', () => {
  let edge: Edge;
  let upstream: EchoServer;
  let xfp: number;
  let secure: number;
  let insecure: number;
  let trusting: number;
  const resources = resourceDir();

  beforeAll(async () => {
    upstream = await EchoServer.start({ name: 'app' });
    [xfp, secure, insecure, trusting] = (await freePorts(4)) as [number, number, number, number];
    writeResources(resources.dir, 'listeners.yaml', [
      listener('xfp', xfp),
      withSpec(listener('secure', secure), { securityModel: 'SECURE' }),
      withSpec(listener('insecure', insecure), { securityModel: 'INSECURE' }),
      withSpec(listener('trusting', trusting), { l7Depth: 1 }),
      host('shop', { hostname: tlsHostname, tlsSecret: { name: 'shop-cert' } }),
      tlsSecret('shop-cert', makeCertificate({ commonName: tlsHostname })),
      mapping('app', { prefix: '/app/', service: upstream.address }),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: {
          config: {
            ip_deny: [{ remote: '203.0.113.0/24' }],
            gzip: { min_content_length: 32, content_type: ['application/json'] },
            buffer: { max_request_bytes: 1024 },
          },
        },
      },
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'listeners' });
    await waitForListeners(edge.envoy, 4);
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.close();
    resources.remove();
  });
  beforeEach(() => {
    upstream?.take();
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(80), edge.attache.tail(40)));
  const get = (
    port: number,
    headers: Record<string, string> = {},
    options: { method?: string; body?: string } = {},
  ) => request(port, '/app/x', { host: tlsHostname, headers, ...options });

  it('Attaché reports no error', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
  });

  describe('security models', () => {
    it('XFP: a cleartext request to a TLS Host is redirected; a client’s own X-Forwarded-Proto is not trusted', async () => {
      showLogs();
      expect((await get(xfp)).status).toBe(301);
      expect((await get(xfp, { 'x-forwarded-proto': 'https' })).status).toBe(301);
      expect(upstream.take()).toEqual([]);
    });

    it('SECURE: every request counts as secure, so the TLS Host serves cleartext', async () => {
      showLogs();
      const r = await get(secure);
      expect(r.status).toBe(200);
      expect(echoed(r)).toMatchObject({ backend: 'app', path: '/x' });
    });

    it('INSECURE: every request counts as insecure, so it is redirected even when it says https', async () => {
      showLogs();
      expect((await get(insecure, { 'x-forwarded-proto': 'https' })).status).toBe(301);
    });

    it('l7Depth 1: X-Forwarded-Proto from the proxy in front is trusted (served), and so is X-Forwarded-For', async () => {
      showLogs();
      expect((await get(trusting)).status).toBe(301);
      const r = await get(trusting, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' });
      expect(r.status).toBe(200);
      expect(echoed(r).headers['x-envoy-external-address']).toBe('198.51.100.7');
    });
  });

  it('ip_deny on remote addresses: the client address l7Depth trusts is refused (403); others pass', async () => {
    showLogs();
    const denied = await get(trusting, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
    expect(denied.status).toBe(403);
    const allowed = await get(trusting, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.9' });
    expect(allowed.status).toBe(200);
    // Where X-Forwarded-For is not trusted, the remote address is the TCP peer: the header changes nothing.
    expect((await get(secure, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
  });

  it('gzip: a JSON answer is compressed for a client that accepts gzip, and only then', async () => {
    showLogs();
    const { gunzipSync } = await import('node:zlib');
    const http = await import('node:http');
    const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: secure,
          path: '/app/zip',
          headers: { host: tlsHostname, 'accept-encoding': 'gzip' },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(raw.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(raw.body).toString('utf8'))).toMatchObject({ backend: 'app', path: '/zip' });
    const plain = await get(secure);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('buffer: a body up to max_request_bytes reaches the upstream whole; a larger one gets 413', async () => {
    showLogs();
    const small = await get(
      secure,
      { 'content-type': 'text/plain' },
      { method: 'POST', body: 'x'.repeat(1000) },
    );
    expect(small.status).toBe(200);
    expect(echoed(small).body).toHaveLength(1000);
    const large = await get(
      secure,
      { 'content-type': 'text/plain' },
      { method: 'POST', body: 'x'.repeat(5000) },
    );
    expect(large.status).toBe(413);
  });
});
