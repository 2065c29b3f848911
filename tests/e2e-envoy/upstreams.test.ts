import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  GrpcEchoServer,
  grpcEchoClient,
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
  writeResources,
} from './edge.js';
import { echoed, expectNoRejectedUpdates, inBatches, waitForListeners } from './feature-traffic.js';

/**
 * What a Mapping asks of the way Envoy talks to its upstream, checked on a
 * real Envoy with real peers: TLS origination (the SNI sent, the upstream's
 * certificate verified against the TLSContext's CA, a client certificate
 * presented), gRPC over HTTP/2, active health checks seen in /clusters,
 * a consistent-hash load balancer, traffic shadowing, Host and path rewrites,
 * and error-response overrides.
 */
const skip = edgeSkipReason('e2e-envoy upstreams');
if (skip) console.warn(skip);

const hostname = 'up.example.com';

const tlsContext = (name: string, spec: Obj): Obj => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'TLSContext',
  metadata: { name, namespace: 'default' },
  spec,
});

describe.skipIf(skip !== undefined)('e2e-envoy: upstream behaviour', () => {
  let edge: Edge;
  let port: number;
  let ca: PemPair;
  let otherCa: PemPair;
  const up: Record<string, EchoServer> = {};
  let grpc: GrpcEchoServer;
  const resources = resourceDir();

  beforeAll(async () => {
    ca = makeCa('upstream CA');
    otherCa = makeCa('some other CA');
    const upstreamPair = makeCertificate({ commonName: 'tls-up.internal', ca });
    up.tls = await EchoServer.start({ name: 'tls', tls: upstreamPair, requestClientCert: true });
    for (const name of ['checked', 'sick', 'main', 'shadow', 'ring-a', 'ring-b', 'shaped', 'errors']) {
      up[name] = await EchoServer.start({ name });
    }
    // Fails every request, /healthz included, from before Envoy's first health check.
    (up.sick as EchoServer).setStatus(503);
    grpc = await GrpcEchoServer.start('grpc');
    port = await freePort();
    const at = (name: string) => (up[name] as EchoServer).address;
    const ringPorts = [up['ring-a'], up['ring-b']].map((u) => (u as EchoServer).port);
    writeResources(resources.dir, 'upstreams.yaml', [
      listener('http', port),
      host('up', { hostname, requestPolicy: { insecure: { action: 'Route' } } }),
      // TLS origination: the CA that signed the upstream, a client certificate, an SNI.
      tlsSecret('upstream-ca', ca, { caCert: ca.cert }),
      tlsSecret('other-ca', otherCa, { caCert: otherCa.cert }),
      tlsSecret('edge-client', makeCertificate({ commonName: 'edge-client', ca })),
      tlsContext('to-tls', { ca_secret: 'upstream-ca', secret: 'edge-client', sni: 'tls-up.internal' }),
      tlsContext('wrong-ca', { ca_secret: 'other-ca', sni: 'tls-up.internal' }),
      mapping('tls', { hostname, prefix: '/tls/', service: at('tls'), tls: 'to-tls' }),
      mapping('tls-wrong-ca', { hostname, prefix: '/tls-wrong-ca/', service: at('tls'), tls: 'wrong-ca' }),
      // gRPC: HTTP/2 to the upstream, the service path kept.
      mapping('grpc', {
        hostname,
        prefix: '/attache.test.Echo/',
        rewrite: '/attache.test.Echo/',
        service: `127.0.0.1:${grpc.port}`,
        grpc: true,
      }),
      // Active health checks (the first one runs as Envoy adds the cluster).
      ...(['checked', 'sick'] as const).map((name) =>
        mapping(name, {
          hostname,
          prefix: `/${name}/`,
          service: at(name),
          health_checks: [
            {
              timeout: '1s',
              interval: '100ms',
              healthy_threshold: 1,
              unhealthy_threshold: 1,
              health_check: { http: { path: '/healthz', expected_statuses: [{ min: 200, max: 299 }] } },
            },
          ],
        }),
      ),
      // Shadowing: the main Mapping answers, the shadow gets a copy.
      mapping('main', { hostname, prefix: '/mirrored/', service: at('main') }),
      mapping('shadow', { hostname, prefix: '/mirrored/', service: at('shadow'), shadow: true }),
      // A consistent hash on a header over two endpoints (EDS from a Service's Endpoints).
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ring', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'ring', namespace: 'default' },
        subsets: ringPorts.map((p) => ({
          addresses: [{ ip: '127.0.0.1' }],
          ports: [{ name: 'http', port: p }],
        })),
      },
      mapping('ring', {
        hostname,
        prefix: '/ring/',
        service: 'ring:80',
        resolver: 'endpoint',
        load_balancer: { policy: 'ring_hash', header: 'x-user' },
      }),
      // Rewrites.
      mapping('host-rewrite', {
        hostname,
        prefix: '/hr/',
        service: at('shaped'),
        host_rewrite: 'internal.example',
      }),
      mapping('regex-rewrite', {
        hostname,
        prefix: '/items/',
        service: at('shaped'),
        regex_rewrite: { pattern: '^/items/([0-9]+)/detail$', substitution: '/v2/item?id=\\1' },
      }),
      mapping('keep-path', { hostname, prefix: '/keep/', service: at('shaped'), rewrite: '' }),
      // Error responses rewritten on this Mapping's routes.
      mapping('errors', {
        hostname,
        prefix: '/errors/',
        service: at('errors'),
        error_response_overrides: [
          { on_status_code: 503, body: { text_format: 'sorry, %RESPONSE_CODE% from %ROUTE_NAME%' } },
          { on_status_code: 404, body: { json_format: { error: 'not here', code: '%RESPONSE_CODE%' } } },
        ],
      }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'upstreams' });
    await waitForListeners(edge.envoy, 1);
  });
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([...Object.values(up).map((u) => u.close()), grpc?.close()]);
    resources.remove();
  });
  beforeEach(() => {
    for (const [name, u] of Object.entries(up)) {
      u.take();
      if (name !== 'sick') u.setStatus(undefined);
    }
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(80), edge.attache.tail(40)));
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(port, path, { host: hostname, headers });

  it('Attaché reports no error', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
  });

  describe('TLS origination', () => {
    it('sends the TLSContext’s SNI and client certificate, and verifies the upstream against its CA', async () => {
      showLogs();
      const r = await get('/tls/a');
      expect(r.status).toBe(200);
      expect(echoed(r)).toMatchObject({
        backend: 'tls',
        path: '/a',
        tls: true,
        sni: 'tls-up.internal',
        clientCertificate: 'edge-client',
      });
    });

    it('refuses an upstream whose certificate another CA signed (503, nothing reaches it)', async () => {
      showLogs();
      const r = await get('/tls-wrong-ca/a');
      expect(r.status).toBe(503);
      expect((up.tls as EchoServer).take()).toEqual([]);
      // Envoy counts the failed verification on the cluster that uses the wrong CA.
      const stats = await edge.envoy.stats('ssl.fail_verify_error');
      const failed = [...stats.entries()].filter(
        ([name, n]) => name.endsWith('.ssl.fail_verify_error') && n > 0,
      );
      expect(failed).toHaveLength(1);
    });
  });

  it('gRPC: unary and server-streaming calls go over HTTP/2 to the gRPC upstream', async () => {
    showLogs();
    const client = grpcEchoClient(`127.0.0.1:${port}`, { authority: hostname });
    try {
      const reply = await client.say('hi', { 'x-team': 'edge' });
      expect(reply).toMatchObject({ backend: 'grpc', method: 'Say', message: 'hi' });
      expect(reply.metadata['x-team']).toBe('edge');
      expect((await client.count('n', 3)).map((r) => r.index)).toEqual([0, 1, 2]);
    } finally {
      client.close();
    }
  });

  it('active health checks: /clusters marks the upstream whose /healthz fails, not the one that passes', async () => {
    showLogs();
    // Envoy checks a cluster that never had traffic every no_traffic_interval (60 s): the verdicts
    // of the first check, made when Envoy added the clusters, are what this test can see.
    const health = async (name: string) => {
      const address = (up[name] as EchoServer).address;
      return (await edge.envoy.clusters()).find((c) => c.hosts.some((h) => h.address === address))?.hosts[0]
        ?.healthy;
    };
    await edge.envoy.waitFor(async () => (await health('sick')) === false, {
      what: 'sick upstream failed its check',
    });
    expect(await health('checked')).toBe(true);
    const raw = JSON.parse((await edge.envoy.admin('/clusters?format=json')).body) as {
      cluster_statuses: Array<{ host_statuses?: Array<{ address: Obj; health_status: Obj }> }>;
    };
    const sick = raw.cluster_statuses
      .flatMap((c) => c.host_statuses ?? [])
      .find((h) => (h.address.socket_address as Obj).port_value === (up.sick as EchoServer).port);
    expect(sick?.health_status.failed_active_health_check).toBe(true);
    const stats = await edge.envoy.stats('health_check.failure');
    expect([...stats.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it('shadow: the main upstream answers, the shadow gets a copy with "-shadow" on the Host', async () => {
    showLogs();
    const r = await get('/mirrored/x?y=1');
    expect(echoed(r)).toMatchObject({ backend: 'main', path: '/x?y=1' });
    const shadow = up.shadow as EchoServer;
    await edge.envoy.waitFor(() => shadow.requests.length > 0, { what: 'the shadow copy' });
    expect(shadow.take()).toEqual([expect.objectContaining({ path: '/x?y=1', host: `${hostname}-shadow` })]);
  });

  it('ring_hash on x-user: each user always reaches the same endpoint, and users spread over both', async () => {
    showLogs();
    const users = Array.from({ length: 24 }, (_, i) => `user-${i}`);
    const seen = new Map<string, Set<string>>();
    await inBatches(users.length * 4, 6, async (i) => {
      const user = users[i % users.length] as string;
      const r = await get('/ring/x', { 'x-user': user });
      const backends = seen.get(user) ?? new Set<string>();
      backends.add(echoed(r).backend);
      seen.set(user, backends);
    });
    for (const [user, backends] of seen) expect([...backends], user).toHaveLength(1);
    // 24 users on a two-host ring: all on one host has probability about 2^-23.
    expect(new Set([...seen.values()].flatMap((s) => [...s]))).toEqual(new Set(['ring-a', 'ring-b']));
  });

  describe('rewrites', () => {
    it('host_rewrite sets the Host the upstream sees', async () => {
      showLogs();
      expect(echoed(await get('/hr/a'))).toMatchObject({ host: 'internal.example', path: '/a' });
    });

    it('regex_rewrite rewrites the whole path with groups; a path it does not match is left as it is', async () => {
      showLogs();
      expect(echoed(await get('/items/42/detail')).path).toBe('/v2/item?id=42');
      expect(echoed(await get('/items/abc')).path).toBe('/items/abc');
    });

    it('rewrite "" forwards the path unchanged', async () => {
      showLogs();
      expect(echoed(await get('/keep/a/b')).path).toBe('/keep/a/b');
    });
  });

  describe('error_response_overrides', () => {
    it('rewrites the upstream’s 503 body, keeping the status', async () => {
      showLogs();
      const r = await get('/errors/x', { 'x-echo-status': '503' });
      expect(r.status).toBe(503);
      expect(r.body).toBe('sorry, 503 from default/errors');
    });

    it('rewrites a 404 into JSON', async () => {
      showLogs();
      const r = await get('/errors/x', { 'x-echo-status': '404' });
      expect(r.status).toBe(404);
      expect(String(r.headers['content-type'])).toMatch(/application\/json/);
      expect(JSON.parse(r.body)).toEqual({ error: 'not here', code: 404 });
    });

    it('leaves other statuses and other Mappings alone', async () => {
      showLogs();
      const r = await get('/errors/x', { 'x-echo-status': '500' });
      expect(r.status).toBe(500);
      expect(echoed(r).backend).toBe('errors');
      const elsewhere = await get('/keep/x', { 'x-echo-status': '503' });
      expect(echoed(elsewhere).backend).toBe('shaped');
    });
  });
});
