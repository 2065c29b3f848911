import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePorts,
  host,
  listener,
  makeCa,
  makeCertificate,
  mapping,
  type Obj,
  type PemPair,
  request,
  resourceDir,
  startEdge,
  tlsSecret,
  WebSocket,
  WebSocketEchoServer,
  writeResources,
} from './edge.js';
import {
  binomialBounds,
  echoed,
  expectNoRejectedUpdates,
  httpsRequest,
  inBatches,
  waitForListeners,
} from './feature-traffic.js';

/**
 * What a Mapping and a Host ask of the route table, checked with real
 * requests through a real Envoy: the insecure actions, host/path/prefix
 * redirects, header and query matching, a three-way traffic split, CORS
 * preflights, WebSocket upgrades and the probe routes. One edge for the file:
 * an HTTP and an HTTPS Listener, a few Hosts, one Mapping (or group) per feature.
 *
 * Most features route to the one echo upstream `app` and say which Mapping
 * matched through an added request header (`x-matched`), so a single backend
 * serves the whole file; the split needs one backend per side.
 */
const skip = edgeSkipReason('e2e-envoy routing');
if (skip) console.warn(skip);

const plain = 'plain.example.com';

/** A Mapping on plain.example.com that tags what it sends to `service` with x-matched: name. */
function tagged(name: string, service: string, spec: Obj): Obj {
  return mapping(name, { hostname: plain, service, add_request_headers: { 'x-matched': name }, ...spec });
}

describe.skipIf(skip !== undefined)('e2e-envoy: routing features', () => {
  let edge: Edge;
  let app: EchoServer;
  let split: EchoServer[];
  let ws: WebSocketEchoServer;
  let httpPort: number;
  let httpsPort: number;
  let ca: PemPair;
  const resources = resourceDir();

  beforeAll(async () => {
    [app, ws, ...split] = await Promise.all([
      EchoServer.start({ name: 'app' }),
      WebSocketEchoServer.start('ws'),
      EchoServer.start({ name: 'split-a' }),
      EchoServer.start({ name: 'split-b' }),
      EchoServer.start({ name: 'split-c' }),
    ] as const);
    [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
    ca = makeCa();
    const tls = (name: string, hostname: string, action: string): Obj[] => [
      host(name, { hostname, tlsSecret: { name: `${name}-cert` }, requestPolicy: { insecure: { action } } }),
      tlsSecret(`${name}-cert`, makeCertificate({ commonName: hostname, ca })),
    ];
    const a = app.address;
    writeResources(resources.dir, 'routing.yaml', [
      listener('http', httpPort),
      listener('https', httpsPort, 'HTTPS'),
      host('plain', { hostname: plain, requestPolicy: { insecure: { action: 'Route' } } }),
      ...tls('redirect', 'redirect.example.com', 'Redirect'),
      ...tls('route', 'route.example.com', 'Route'),
      ...tls('reject', 'reject.example.com', 'Reject'),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config: { readiness_probe: { enabled: true, prefix: '/custom/ready' } } },
      },
      // Insecure actions: one Mapping on every Host.
      mapping('everywhere', { prefix: '/everywhere/', service: a }),
      // Redirects instead of proxying.
      tagged('host-redirect', 'elsewhere.example.net', { prefix: '/hr/', host_redirect: true }),
      tagged('path-redirect', 'elsewhere.example.net:8081', {
        prefix: '/pr/',
        host_redirect: true,
        path_redirect: '/index.html',
        redirect_response_code: 302,
      }),
      tagged('prefix-redirect', 'https://secure.example.net', {
        prefix: '/xr/',
        host_redirect: true,
        prefix_redirect: '/new/',
        redirect_response_code: 308,
      }),
      // Header and query matching on one prefix; the plain Mapping takes the rest.
      tagged('match-plain', a, { prefix: '/match/' }),
      tagged('header-exact', a, { prefix: '/match/', headers: { 'x-tenant': 'acme' } }),
      tagged('header-regex', a, { prefix: '/match/', regex_headers: { 'x-version': '^v[0-9]+$' } }),
      tagged('header-present', a, { prefix: '/match/', regex_headers: { 'x-present': '.*' } }),
      tagged('query-exact', a, { prefix: '/match/', query_parameters: { engine: 'next' } }),
      tagged('query-regex', a, { prefix: '/match/', regex_query_parameters: { page: '^[0-9]+$' } }),
      tagged('query-present', a, { prefix: '/match/', regex_query_parameters: { debug: '.*' } }),
      // A three-way split: 20 / 30 / the remaining 50.
      tagged('split-a', (split[0] as EchoServer).address, { prefix: '/split/', weight: 20 }),
      tagged('split-b', (split[1] as EchoServer).address, { prefix: '/split/', weight: 30 }),
      tagged('split-c', (split[2] as EchoServer).address, { prefix: '/split/' }),
      // CORS.
      tagged('cors', a, {
        prefix: '/cors/',
        cors: {
          origins: ['https://app.example.com'],
          methods: ['GET', 'POST'],
          headers: ['x-custom'],
          exposed_headers: ['x-echo-backend'],
          credentials: true,
          max_age: '600',
        },
      }),
      // WebSocket upgrades: allowed two ways, and not allowed.
      tagged('ws', ws.address, { prefix: '/ws/', allow_upgrade: ['websocket'] }),
      tagged('ws-legacy', ws.address, { prefix: '/ws-legacy/', use_websocket: true }),
      tagged('ws-none', ws.address, { prefix: '/ws-none/' }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'routing' });
    await waitForListeners(edge.envoy, 2);
  });
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([app?.close(), ws?.close(), ...(split ?? []).map((s) => s.close())]);
    resources.remove();
  });
  // Every test's configuration (and anything it changed) must have been taken whole by Envoy.
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });
  beforeEach(() => {
    app?.take();
  });

  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(80), edge.attache.tail(40)));
  const get = (
    path: string,
    options: { host?: string; headers?: Record<string, string>; method?: string } = {},
  ) => request(httpPort, path, { host: plain, ...options });

  it('Envoy accepts every update, and Attaché reports no error', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
    await expectNoRejectedUpdates(edge.envoy);
  });

  describe('the insecure action of a TLS Host', () => {
    it('Redirect: cleartext gets 301 to https; TLS is served', async () => {
      showLogs();
      const clear = await request(httpPort, '/everywhere/a?b=1', { host: 'redirect.example.com' });
      expect(clear.status).toBe(301);
      expect(clear.headers.location).toBe('https://redirect.example.com/everywhere/a?b=1');
      const secure = await httpsRequest(httpsPort, '/everywhere/a', {
        servername: 'redirect.example.com',
        ca: ca.cert,
      });
      expect(echoed(secure)).toMatchObject({ backend: 'app', path: '/a', host: 'redirect.example.com' });
      expect(echoed(secure).headers['x-forwarded-proto']).toBe('https');
    });

    it('Route: cleartext and TLS are both served', async () => {
      showLogs();
      const clear = await request(httpPort, '/everywhere/r', { host: 'route.example.com' });
      expect(clear.status).toBe(200);
      expect(echoed(clear)).toMatchObject({ backend: 'app', path: '/r' });
      expect(echoed(clear).headers['x-forwarded-proto']).toBe('http');
      const secure = await httpsRequest(httpsPort, '/everywhere/r', {
        servername: 'route.example.com',
        ca: ca.cert,
      });
      expect(echoed(secure).headers['x-forwarded-proto']).toBe('https');
    });

    it('Reject: cleartext gets 404 and never reaches the upstream; TLS is served', async () => {
      showLogs();
      const clear = await request(httpPort, '/everywhere/x', { host: 'reject.example.com' });
      expect(clear.status).toBe(404);
      expect(app.take()).toEqual([]);
      const secure = await httpsRequest(httpsPort, '/everywhere/x', {
        servername: 'reject.example.com',
        ca: ca.cert,
      });
      expect(echoed(secure)).toMatchObject({ backend: 'app', path: '/x' });
    });
  });

  describe('host_redirect', () => {
    it('redirects to the service host, keeping the path (301 by default)', async () => {
      showLogs();
      const r = await get('/hr/some/page?q=1');
      expect(r.status).toBe(301);
      expect(r.headers.location).toBe('http://elsewhere.example.net/hr/some/page?q=1');
    });

    it('path_redirect replaces the whole path, with the port and the response code asked for', async () => {
      showLogs();
      const r = await get('/pr/anything/here');
      expect(r.status).toBe(302);
      expect(r.headers.location).toBe('http://elsewhere.example.net:8081/index.html');
    });

    it('prefix_redirect replaces the matched prefix; an https:// service redirects to https', async () => {
      showLogs();
      const r = await get('/xr/deep/path');
      expect(r.status).toBe(308);
      expect(r.headers.location).toBe('https://secure.example.net/new/deep/path');
      expect(app.take()).toEqual([]);
    });
  });

  describe('header and query matching', () => {
    const matched = async (path: string, headers: Record<string, string> = {}) => {
      const r = await get(path, { headers });
      expect(r.status, path).toBe(200);
      return echoed(r).headers['x-matched'];
    };

    it('exact header value', async () => {
      showLogs();
      expect(await matched('/match/', { 'x-tenant': 'acme' })).toBe('header-exact');
      expect(await matched('/match/', { 'x-tenant': 'acme-corp' })).toBe('match-plain');
    });

    it('regex header value (RE2, whole value)', async () => {
      showLogs();
      expect(await matched('/match/', { 'x-version': 'v42' })).toBe('header-regex');
      expect(await matched('/match/', { 'x-version': 'v4x' })).toBe('match-plain');
      expect(await matched('/match/', { 'x-version': 'xv4' })).toBe('match-plain');
    });

    it('header present (regex ".*", as Emissary documents): any value, even empty; absent does not match', async () => {
      showLogs();
      expect(await matched('/match/', { 'x-present': 'anything' })).toBe('header-present');
      expect(await matched('/match/', { 'x-present': '' })).toBe('header-present');
      expect(await matched('/match/')).toBe('match-plain');
    });

    it('the longer header match is tried first (Emissary’s route order)', async () => {
      showLogs();
      // x-version + ^v[0-9]+$ (22 characters with the regex mark) beats x-tenant + acme (12).
      expect(await matched('/match/', { 'x-tenant': 'acme', 'x-version': 'v1' })).toBe('header-regex');
    });

    it('exact, regex and present query parameters', async () => {
      showLogs();
      expect(await matched('/match/?engine=next')).toBe('query-exact');
      expect(await matched('/match/?engine=nextgen')).toBe('match-plain');
      expect(await matched('/match/?page=12')).toBe('query-regex');
      expect(await matched('/match/?page=12a')).toBe('match-plain');
      expect(await matched('/match/?debug=')).toBe('query-present');
      expect(await matched('/match/?debug=1&x=2')).toBe('query-present');
      expect(await matched('/match/?debugging=1')).toBe('match-plain');
    });

    it('headers are matched before query parameters', async () => {
      showLogs();
      expect(await matched('/match/?engine=next', { 'x-tenant': 'acme' })).toBe('header-exact');
    });
  });

  it('a three-way split (20/30/rest) holds within 5σ over 600 requests', async () => {
    showLogs();
    const n = 600;
    const answers = await inBatches(n, 8, () => get('/split/x'));
    const counts = new Map<string, number>();
    for (const a of answers) {
      expect(a.status).toBe(200);
      const seen = echoed(a);
      expect(seen.headers['x-matched']).toBe(seen.backend);
      counts.set(seen.backend, (counts.get(seen.backend) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['split-a', 'split-b', 'split-c']);
    // n = 600: a ~ 120 ± 9.8, b ~ 180 ± 11.2, c ~ 300 ± 12.2; each within 5σ of its mean.
    for (const [backend, p] of [
      ['split-a', 0.2],
      ['split-b', 0.3],
      ['split-c', 0.5],
    ] as const) {
      const { low, high } = binomialBounds(n, p);
      const count = counts.get(backend) ?? 0;
      expect(count, `${backend}: ${count} of ${n}, expected ${low}..${high}`).toBeGreaterThanOrEqual(low);
      expect(count, `${backend}: ${count} of ${n}, expected ${low}..${high}`).toBeLessThanOrEqual(high);
    }
  });

  describe('CORS', () => {
    it('a preflight from an allowed origin is answered by Envoy with the policy', async () => {
      showLogs();
      const r = await get('/cors/items', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-custom',
        },
      });
      expect(r.status).toBe(200);
      expect(r.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(String(r.headers['access-control-allow-methods']).replace(/\s/g, '')).toBe('GET,POST');
      expect(r.headers['access-control-allow-headers']).toBe('x-custom');
      expect(r.headers['access-control-max-age']).toBe('600');
      expect(r.headers['access-control-allow-credentials']).toBe('true');
      expect(app.take()).toEqual([]);
    });

    it('a preflight from another origin gets no CORS grant', async () => {
      showLogs();
      const r = await get('/cors/items', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example.org', 'access-control-request-method': 'POST' },
      });
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
      expect(r.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('an actual request from the allowed origin gets the origin and exposed headers back', async () => {
      showLogs();
      const r = await get('/cors/items', { headers: { origin: 'https://app.example.com' } });
      expect(r.status).toBe(200);
      expect(r.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(r.headers['access-control-expose-headers']).toBe('x-echo-backend');
      expect(echoed(r).headers['x-matched']).toBe('cors');
    });
  });

  describe('WebSocket', () => {
    const exchange = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${httpPort}${path}`, { headers: { host: plain } });
        const timer = setTimeout(() => {
          socket.terminate();
          reject(new Error(`no WebSocket answer on ${path}`));
        }, 5000);
        socket.once('open', () => socket.send('ping'));
        socket.once('message', (data) => {
          clearTimeout(timer);
          socket.close();
          resolve(String(data));
        });
        socket.once('unexpected-response', (_req, res) => {
          clearTimeout(timer);
          reject(new Error(`upgrade refused: ${res.statusCode}`));
        });
        socket.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });

    it('allow_upgrade: [websocket] upgrades through Envoy (prefix rewritten) and echoes', async () => {
      showLogs();
      expect(await exchange('/ws/chat')).toBe('ws:ping');
      expect(ws.upgrades.at(-1)).toMatchObject({ path: '/chat' });
      expect(ws.upgrades.at(-1)?.headers['x-matched']).toBe('ws');
    });

    it('use_websocket: true does the same', async () => {
      showLogs();
      expect(await exchange('/ws-legacy/chat')).toBe('ws:ping');
      expect(ws.upgrades.at(-1)?.headers['x-matched']).toBe('ws-legacy');
    });

    it('without either, Envoy refuses the upgrade (403) and the upstream never sees it', async () => {
      showLogs();
      const before = ws.upgrades.length;
      await expect(exchange('/ws-none/chat')).rejects.toThrow('upgrade refused: 403');
      expect(ws.upgrades.length).toBe(before);
    });
  });

  describe('probe routes', () => {
    it('liveness (default prefix) and readiness (Module prefix) are answered by Envoy on every Host', async () => {
      showLogs();
      for (const hostname of [plain, 'route.example.com', 'reject.example.com', 'redirect.example.com']) {
        const alive = await request(httpPort, '/ambassador/v0/check_alive', { host: hostname });
        expect(alive.status, hostname).toBe(200);
        expect(alive.body, hostname).toBe('ambassador liveness check OK\n');
        const ready = await request(httpPort, '/custom/ready', { host: hostname });
        expect(ready.status, hostname).toBe(200);
        expect(ready.body, hostname).toBe('ambassador readiness check OK\n');
      }
      expect(app.take()).toEqual([]);
    });

    it('the default readiness path is gone once the Module moves it', async () => {
      showLogs();
      const r = await get('/ambassador/v0/check_ready');
      expect(r.status).toBe(404);
    });

    it('over TLS too', async () => {
      showLogs();
      const r = await httpsRequest(httpsPort, '/ambassador/v0/check_alive', {
        servername: 'redirect.example.com',
        ca: ca.cert,
      });
      expect(r.status).toBe(200);
      expect(r.body).toBe('ambassador liveness check OK\n');
    });
  });
});
