import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePorts,
  repoRoot,
  request,
  resourceDir,
  startEdge,
} from './edge.js';
import {
  binomialBounds,
  echoed,
  expectNoRejectedUpdates,
  httpsRequest,
  inBatches,
  waitForListeners,
} from './feature-traffic.js';

const requireFromTestkit = createRequire(new URL('../../packages/testkit/package.json', import.meta.url));
const YAML = requireFromTestkit('yaml') as typeof import('yaml');

/**
 * The quick start, served for real: `attache serve` on the files of
 * examples/quickstart and a real Envoy on the bootstrap serve wrote.
 *
 * The files are copied to a temporary folder and only two kinds of values are
 * rewritten there, so that the test runs anywhere and in parallel:
 * - each Listener's `port` (8080, 8443) becomes a free port;
 * - each Mapping's `service` becomes the 127.0.0.1 address of an echo
 *   upstream named after the original service (`users.default:8080` →
 *   the echo server `users`), so an answer says which service it reached.
 * Everything else (Hosts, the TLS Secret, rewrites, header matches, added
 * headers, timeouts, the 90/10 canary) is the example exactly as shipped.
 */
const skip = edgeSkipReason('e2e-envoy quickstart');
if (skip) console.warn(skip);

const quickstart = join(repoRoot, 'examples/quickstart');

/** The echo upstream a quick-start `service` is replaced by: its name without namespace and port. */
function upstreamName(service: string): string {
  return service.replace(/:\d+$/, '').split('.')[0] as string;
}

describe.skipIf(skip !== undefined)('e2e-envoy: examples/quickstart on a real Envoy', () => {
  let edge: Edge;
  let httpPort: number;
  let httpsPort: number;
  let exampleCert: string;
  const upstreams = new Map<string, EchoServer>();
  const resources = resourceDir();

  beforeAll(async () => {
    [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
    cpSync(quickstart, resources.dir, { recursive: true });
    for (const file of readdirSync(resources.dir).filter((f) => f.endsWith('.yaml'))) {
      const path = join(resources.dir, file);
      const docs = YAML.parseAllDocuments(readFileSync(path, 'utf8'));
      for (const doc of docs) {
        const kind = doc.get('kind');
        if (kind === 'Listener') {
          const port = doc.getIn(['spec', 'port']);
          doc.setIn(['spec', 'port'], port === 8443 ? httpsPort : port === 8080 ? httpPort : port);
        }
        if (kind === 'Mapping') {
          const name = upstreamName(String(doc.getIn(['spec', 'service'])));
          let upstream = upstreams.get(name);
          if (!upstream) {
            upstream = await EchoServer.start({ name });
            upstreams.set(name, upstream);
          }
          doc.setIn(['spec', 'service'], upstream.address);
        }
        if (kind === 'Secret') {
          exampleCert = Buffer.from(String(doc.getIn(['data', 'tls.crt'])), 'base64').toString('utf8');
        }
      }
      writeFileSync(path, docs.map((d) => d.toString()).join('---\n'));
    }
    expect([...upstreams.keys()].sort()).toEqual([
      'catalog-v1',
      'catalog-v2',
      'quote',
      'users',
      'users-beta',
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'quickstart' });
    await waitForListeners(edge.envoy, 2);
  });
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([...upstreams.values()].map((u) => u.close()));
    resources.remove();
  });
  // Every test's configuration (and anything it changed) must have been taken whole by Envoy.
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  beforeEach(() => {
    for (const upstream of upstreams.values()) upstream.take();
  });

  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(80), edge.attache.tail(40)));

  it('serves the example with every xDS update accepted', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
    await expectNoRejectedUpdates(edge.envoy);
    // The certificate arrived over SDS, and Envoy took it.
    expect((await edge.envoy.xdsStats()).sds.updateSuccess).toBeGreaterThan(0);
  });

  it('cleartext local.example.com: /quote/ reaches quote with the prefix rewritten to /', async () => {
    showLogs();
    const answer = await request(httpPort, '/quote/today?x=1', { host: 'local.example.com' });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-echo-backend']).toBe('quote');
    expect(echoed(answer)).toMatchObject({ backend: 'quote', path: '/today?x=1', host: 'local.example.com' });
    expect(echoed(answer).headers['x-forwarded-proto']).toBe('http');
  });

  it('cleartext secure.example.com: every route redirects to https (insecure action Redirect)', async () => {
    showLogs();
    for (const path of ['/quote/today', '/api/v1/users/42']) {
      const answer = await request(httpPort, path, { host: 'secure.example.com' });
      expect(answer.status, path).toBe(301);
      expect(answer.headers.location, path).toBe(`https://secure.example.com${path}`);
    }
    const beta = await request(httpPort, '/api/v1/users/42', {
      host: 'secure.example.com',
      headers: { 'x-beta': 'true' },
    });
    expect(beta.status).toBe(301);
    expect(upstreams.get('users')?.take()).toEqual([]);
    expect(upstreams.get('users-beta')?.take()).toEqual([]);
  });

  it('a Host no Host resource names gets 404 (no virtual host)', async () => {
    showLogs();
    const answer = await request(httpPort, '/quote/today', { host: 'elsewhere.example.org' });
    expect(answer.status).toBe(404);
    expect(upstreams.get('quote')?.take()).toEqual([]);
  });

  it('TLS on the HTTPS listener with the example’s certificate (SNI secure.example.com): users, rewritten', async () => {
    showLogs();
    const answer = await httpsRequest(httpsPort, '/api/v1/users/42', {
      servername: 'secure.example.com',
      ca: exampleCert,
    });
    expect(answer.peerCommonName).toBe('secure.example.com');
    expect(answer.status).toBe(200);
    const seen = echoed(answer);
    expect(seen).toMatchObject({ backend: 'users', path: '/users/42', host: 'secure.example.com' });
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-attache-route']).toBeUndefined();
    expect(answer.headers['x-served-by']).toBeUndefined();
    // users has timeout_ms: 3000: Envoy tells the upstream the deadline it set.
    expect(seen.headers['x-envoy-expected-rq-timeout-ms']).toBe('3000');
  });

  it('TLS: x-beta: true reaches users-beta with its added request and response headers', async () => {
    showLogs();
    const answer = await httpsRequest(httpsPort, '/api/v1/users/7', {
      servername: 'secure.example.com',
      ca: exampleCert,
      headers: { 'x-beta': 'true' },
    });
    expect(answer.status).toBe(200);
    const seen = echoed(answer);
    expect(seen).toMatchObject({ backend: 'users-beta', path: '/users/7' });
    expect(seen.headers['x-attache-route']).toBe('users-beta');
    expect(answer.headers['x-served-by']).toBe('users-beta');
    // Any other value of x-beta is not the beta route.
    const other = await httpsRequest(httpsPort, '/api/v1/users/7', {
      servername: 'secure.example.com',
      ca: exampleCert,
      headers: { 'x-beta': 'yes' },
    });
    expect(echoed(other).backend).toBe('users');
  });

  it('TLS: /quote/ on secure.example.com is served (hostname "*" Mapping), not redirected', async () => {
    showLogs();
    const answer = await httpsRequest(httpsPort, '/quote/q', {
      servername: 'secure.example.com',
      ca: exampleCert,
    });
    expect(answer.status).toBe(200);
    expect(echoed(answer)).toMatchObject({ backend: 'quote', path: '/q', host: 'secure.example.com' });
  });

  it('the canary: catalog-v2 gets its 10% of /catalog/ within 5σ over 400 requests, catalog-v1 the rest', async () => {
    showLogs();
    const n = 400;
    const answers = await inBatches(n, 8, () =>
      request(httpPort, '/catalog/item/1', { host: 'local.example.com' }),
    );
    const backends = answers.map((a) => {
      expect(a.status).toBe(200);
      const seen = echoed(a);
      expect(seen.path).toBe('/item/1');
      return seen.backend;
    });
    const v2 = backends.filter((b) => b === 'catalog-v2').length;
    const v1 = backends.filter((b) => b === 'catalog-v1').length;
    expect(v1 + v2).toBe(n);
    // 400 trials at p = 0.1: mean 40, σ = 6, so 5σ is [10, 70].
    const { low, high } = binomialBounds(n, 0.1);
    expect(v2).toBeGreaterThanOrEqual(low);
    expect(v2).toBeLessThanOrEqual(high);
  });
});
