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
  type PemPair,
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
  let proxied: number;
  let proxiedTls: number;
  let shopCert: PemPair;
  const resources = resourceDir();

  beforeAll(async () => {
    upstream = await EchoServer.start({ name: 'app' });
    [xfp, secure, insecure, trusting, proxied, proxiedTls] = (await freePorts(6)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    shopCert = makeCertificate({ commonName: tlsHostname });
    writeResources(resources.dir, 'listeners.yaml', [
      listener('xfp', xfp),
      withSpec(listener('secure', secure), { securityModel: 'SECURE' }),
      withSpec(listener('insecure', insecure), { securityModel: 'INSECURE' }),
      withSpec(listener('trusting', trusting), { l7Depth: 1 }),
      withSpec(listener('proxied', proxied), { protocol: 'HTTPPROXY' }),
      withSpec(listener('proxied-tls', proxiedTls), { protocol: 'HTTPSPROXY' }),
      host('shop', { hostname: tlsHostname, tlsSecret: { name: 'shop-cert' } }),
      tlsSecret('shop-cert', shopCert),
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
    await waitForListeners(edge.envoy, 6);
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

  describe('PROXY protocol', () => {
    /** One HTTP/1.1 request on a connection that starts with a PROXY v1 line (optionally then TLS). */
    const viaProxy = async (port: number, options: { proxyLine: boolean; tls: boolean }) => {
      const net = await import('node:net');
      const tls = await import('node:tls');
      return new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          if (options.proxyLine) socket.write(`PROXY TCP4 198.51.100.22 127.0.0.1 56324 ${port}\r\n`);
          const http = `GET /app/proxied HTTP/1.1\r\nHost: ${tlsHostname}\r\nConnection: close\r\n\r\n`;
          const stream = options.tls
            ? tls.connect({ socket, servername: tlsHostname, ca: shopCert.cert }, () => stream.write(http))
            : socket;
          if (!options.tls) socket.write(http);
          let text = '';
          stream.on('data', (c: Buffer) => {
            text += c.toString('utf8');
          });
          stream.on('end', () => resolve(text));
          stream.on('close', () => resolve(text));
          stream.on('error', reject);
        });
        socket.on('error', reject);
        socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
      });
    };
    // The echo answer is one JSON object (chunked or not): what lies between its outer braces.
    const bodyOf = (text: string) =>
      JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<string, unknown>;

    it('HTTPPROXY: the PROXY line is read, then HTTP (a TLS Host’s cleartext request is redirected, as on any XFP listener)', async () => {
      showLogs();
      const text = await viaProxy(proxied, { proxyLine: true, tls: false });
      expect(text).toMatch(/^HTTP\/1\.1 301/);
      expect(text).toContain(`location: https://${tlsHostname}/app/proxied`);
    });

    it('HTTPSPROXY reads the PROXY line before the TLS handshake (Emissary’s order cannot work: #4153); the client address is the PROXY line’s', async () => {
      showLogs();
      const served = await viaProxy(proxiedTls, { proxyLine: true, tls: true });
      expect(served).toMatch(/^HTTP\/1\.1 200/);
      const seen = bodyOf(served) as { backend: string; path: string; headers: Record<string, string> };
      expect(seen).toMatchObject({ backend: 'app', path: '/proxied' });
      expect(seen.headers['x-forwarded-for']).toBe('198.51.100.22');
      expect(seen.headers['x-forwarded-proto']).toBe('https');
    });

    it('a connection without the PROXY line is refused', async () => {
      showLogs();
      const text = await viaProxy(proxied, { proxyLine: false, tls: false }).catch((e: Error) => e.message);
      expect(text).not.toMatch(/^HTTP\/1\.1 (200|301)/);
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
