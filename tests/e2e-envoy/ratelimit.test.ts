import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  findRateLimitBinary,
  findRedisServer,
  freePort,
  host,
  listener,
  mapping,
  type Obj,
  RateLimitService,
  rateLimitMissingMessage,
  request,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';
import { expectNoRejectedUpdates, waitForListeners } from './feature-traffic.js';

/**
 * Rate limiting on a real Envoy with real peers: Attaché (`attache serve`)
 * configures Envoy from RateLimitService, Mapping labels and local_rate_limit;
 * Envoy asks Envoy's reference rate-limit service (github.com/envoyproxy/ratelimit,
 * built by tools/ratelimit/get.sh, with its own redis) over gRPC. Checked: 429
 * over the limit, the descriptors each action kind produces as the service saw
 * them (its debug log), failure_mode_deny when the service is down, and local
 * token buckets per Mapping and per Host that empty and refill.
 */
const skip =
  edgeSkipReason('e2e-envoy rate limit') ??
  (findRateLimitBinary() && findRedisServer() ? undefined : rateLimitMissingMessage('e2e-envoy rate limit'));
if (skip) console.warn(skip);

const domain = 'e2e-edge';
const hostname = 'rl.example.com';
const bucketHost = 'bucket.example.com';

const rateLimitService = (grpcAddress: string, spec: Obj = {}): Obj => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'RateLimitService',
  metadata: { name: 'ratelimit', namespace: 'default' },
  spec: { service: grpcAddress, protocol_version: 'v3', domain, timeout_ms: 1000, ...spec },
});

const labels = (groups: Array<Record<string, Obj[]>>): Obj => ({ [domain]: groups });

describe.skipIf(skip !== undefined)('e2e-envoy: rate limiting with the real envoyproxy/ratelimit', () => {
  let edge: Edge;
  let port: number;
  let api: EchoServer;
  let service: RateLimitService;
  let resourcesFor: (rls: Obj) => Obj[];
  const resources = resourceDir();

  beforeAll(async () => {
    api = await EchoServer.start({ name: 'api' });
    service = await RateLimitService.start({
      domain,
      descriptors: [
        { key: 'generic_key', value: 'limited', rate_limit: { unit: 'minute', requests_per_unit: 2 } },
        { key: 'tenant', value: 'acme', rate_limit: { unit: 'minute', requests_per_unit: 1 } },
      ],
    });
    port = await freePort();
    resourcesFor = (rls) => [
      listener('http', port),
      host('rl', { hostname, requestPolicy: { insecure: { action: 'Route' } } }),
      host('bucket', {
        hostname: bucketHost,
        requestPolicy: { insecure: { action: 'Route' } },
        // One bucket for the whole Host: 3 requests, no refill during the test.
        local_rate_limit: { max_tokens: 3, fill_interval_ms: 600_000 },
      }),
      rls,
      mapping('limited', {
        hostname,
        prefix: '/limited/',
        service: api.address,
        labels: labels([{ constant: [{ generic_key: { value: 'limited' } }] }]),
      }),
      mapping('tenants', {
        hostname,
        prefix: '/tenants/',
        service: api.address,
        labels: labels([{ 'by-tenant': [{ request_headers: { key: 'tenant', header_name: 'x-tenant' } }] }]),
      }),
      mapping('actions', {
        hostname,
        prefix: '/actions/',
        service: api.address,
        labels: labels([
          {
            every: [
              { source_cluster: { key: 'source_cluster' } },
              { destination_cluster: { key: 'destination_cluster' } },
              { remote_address: { key: 'remote_address' } },
              { request_headers: { key: 'plan', header_name: 'x-plan' } },
              { generic_key: { key: 'route', value: 'actions' } },
            ],
          },
          {
            optional: [
              { generic_key: { value: 'optional' } },
              { request_headers: { key: 'team', header_name: 'x-team', skip_if_absent: true } },
            ],
          },
        ]),
      }),
      mapping('local', {
        hostname,
        prefix: '/local/',
        service: api.address,
        local_rate_limit: {
          max_tokens: 2,
          fill_interval_ms: 1000,
          response_headers: { 'x-local-limited': 'yes' },
        },
      }),
      mapping('bucket-a', { hostname: bucketHost, prefix: '/a/', service: api.address }),
      mapping('bucket-b', { hostname: bucketHost, prefix: '/b/', service: api.address }),
    ];
    writeResources(resources.dir, 'ratelimit.yaml', resourcesFor(rateLimitService(service.grpcAddress)));
    edge = await startEdge({ resources: resources.dir, name: 'ratelimit' });
    await waitForListeners(edge.envoy, 1);
    // The rate-limit cluster is up before the first test counts on it.
    await edge.attache.waitFor(
      async () => {
        const r = await fetch(`${edge.envoy.adminUrl}/clusters`).then((x) => x.text());
        return r.includes(`::127.0.0.1:${service.grpcPort}::`);
      },
      { what: 'Envoy knows the rate-limit cluster' },
    );
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await service?.stop();
    await api?.close();
    resources.remove();
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  const showLogs = () =>
    onTestFailed(() =>
      console.error(edge.envoy.tail(60), edge.attache.tail(30), service.output().slice(-4000)),
    );
  const get = (path: string, headers: Record<string, string> = {}, on = hostname) =>
    request(port, path, { host: on, headers });

  /** The descriptors the service saw while `run` ran (requests are sequential, so in order). */
  async function seenDuring(
    run: () => Promise<void>,
    expected: number,
  ): Promise<Array<Array<[string, string]>>> {
    const before = service.seen.length;
    await run();
    const deadline = Date.now() + 5000;
    while (service.seen.length < before + expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    return service.seen.slice(before);
  }

  it('Attaché reports no error', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
  });

  it('over the limit → 429 from Envoy (the upstream never sees it)', async () => {
    showLogs();
    api.take();
    expect((await get('/limited/1')).status).toBe(200);
    expect((await get('/limited/2')).status).toBe(200);
    const over = await get('/limited/3');
    expect(over.status).toBe(429);
    expect(over.headers['x-envoy-ratelimited']).toBe('true');
    expect(api.take().map((r) => r.path)).toEqual(['/1', '/2']);
  });

  it('the limit is per descriptor value: tenant acme is limited, another tenant and no tenant are not', async () => {
    showLogs();
    expect((await get('/tenants/x', { 'x-tenant': 'acme' })).status).toBe(200);
    expect((await get('/tenants/x', { 'x-tenant': 'acme' })).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await get('/tenants/x', { 'x-tenant': 'globex' })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get('/tenants/x')).status).toBe(200);
  });

  it('descriptors arrive as configured: each action kind, in order', async () => {
    showLogs();
    const bootstrap = JSON.parse(readFileSync(edge.attache.bootstrapPath, 'utf8')) as {
      node: { cluster: string };
    };
    const clusters = (await fetch(`${edge.envoy.adminUrl}/clusters?format=json`).then((r) => r.json())) as {
      cluster_statuses: Array<{
        name: string;
        host_statuses?: Array<{ address: { socket_address: { port_value: number } } }>;
      }>;
    };
    const apiCluster = clusters.cluster_statuses.find((c) =>
      c.host_statuses?.some((h) => h.address.socket_address.port_value === api.port),
    )?.name;
    expect(apiCluster).toBeDefined();
    const seen = await seenDuring(async () => {
      expect((await get('/actions/x', { 'x-plan': 'gold', 'x-team': 'blue' })).status).toBe(200);
    }, 2);
    expect(seen).toEqual([
      [
        ['source_cluster', bootstrap.node.cluster],
        ['destination_cluster', apiCluster],
        ['remote_address', '127.0.0.1'],
        ['plan', 'gold'],
        ['route', 'actions'],
      ],
      [
        ['generic_key', 'optional'],
        ['team', 'blue'],
      ],
    ]);
  });

  it('a missing header skips its whole group; skip_if_absent leaves out only that entry', async () => {
    showLogs();
    const seen = await seenDuring(async () => {
      expect((await get('/actions/x')).status).toBe(200);
      // A known descriptor after it: whatever the first request produced arrived before this.
      expect((await get('/tenants/x', { 'x-tenant': 'marker' })).status).toBe(200);
    }, 2);
    expect(seen).toEqual([[['generic_key', 'optional']], [['tenant', 'marker']]]);
  });

  it('local rate limit per Mapping: 429 with its headers once the bucket is empty, 200 again after the refill', async () => {
    showLogs();
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 4; i++) {
      const r = await get('/local/x');
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    // The bucket holds 2 tokens; four quick requests cannot all pass (a refill may land between them).
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    expect(refused?.headers['x-local-limited']).toBe('yes');
    // No global descriptors for this Mapping: the service is never asked (the local filter answered).
    let again = 0;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      again = (await get('/local/x')).status;
      if (again === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(again).toBe(200);
  });

  it('local rate limit per Host: one bucket for all its routes; its probes are never limited', async () => {
    showLogs();
    const statuses = [
      (await get('/a/1', {}, bucketHost)).status,
      (await get('/b/1', {}, bucketHost)).status,
      (await get('/a/2', {}, bucketHost)).status,
      (await get('/b/2', {}, bucketHost)).status,
      (await get('/a/3', {}, bucketHost)).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await get('/ambassador/v0/check_ready', {}, bucketHost)).status).toBe(200);
    expect((await get('/ambassador/v0/check_alive', {}, bucketHost)).status).toBe(200);
    // The other Host has no bucket.
    for (let i = 0; i < 5; i++) expect((await get('/tenants/x', { 'x-tenant': `t${i}` })).status).toBe(200);
  });

  it('service down: allowed by default (failure_mode_deny false), 500 with failure_mode_deny: true', async () => {
    showLogs();
    await service.stopService();
    expect((await get('/limited/down')).status).toBe(200);
    writeResources(
      resources.dir,
      'ratelimit.yaml',
      resourcesFor(rateLimitService(service.grpcAddress, { failure_mode_deny: true })),
    );
    let status = 0;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      status = (await get('/limited/down')).status;
      if (status !== 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(500);
    // Routes without labels send no descriptor, so they never need the service.
    expect((await get('/local/y')).status).not.toBe(500);
  });
});
