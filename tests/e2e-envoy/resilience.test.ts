import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  type EnvoyProcess,
  edgeSkipReason,
  freePort,
  host,
  listener,
  mapping,
  type Obj,
  request,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';
import { echoed, expectNoRejectedUpdates, waitForListeners } from './feature-traffic.js';

/**
 * How a route and a cluster behave when the upstream is slow, failing or
 * overloaded, with a real Envoy and echo upstreams that can be told to
 * wait (`x-echo-delay-ms`) or fail (`failNext`, `setStatus`):
 * timeout_ms → 504; retry_policy retries a failing upstream the set number of
 * times; circuit_breakers overflow → 503 with `x-envoy-overloaded` and Envoy's
 * overflow counters rising by exactly as many; outlier_detection ejects the
 * failing one of two endpoints (an EDS cluster from a Service and its
 * Endpoints through the `endpoint` resolver), which /clusters shows.
 *
 * Each feature has its own upstream, so each has its own cluster, found in
 * /clusters by the upstream's address, and its own counters.
 */
const skip = edgeSkipReason('e2e-envoy resilience');
if (skip) console.warn(skip);

const hostname = 'resilience.example.com';

/** The name of the cluster whose endpoints include `address` (host:port). */
async function clusterWith(envoy: EnvoyProcess, address: string): Promise<string> {
  const clusters = await envoy.clusters();
  const found = clusters.filter((c) => c.hosts.some((h) => h.address === address));
  if (found.length !== 1) throw new Error(`${found.length} clusters have endpoint ${address}`);
  return (found[0] as { name: string }).name;
}

/** One counter of `/stats` (0 when Envoy has not created it yet). */
async function counter(envoy: EnvoyProcess, name: string): Promise<number> {
  return (await envoy.stats(name.replace(/[.[\]()*+?^$|\\]/g, '\\$&'))).get(name) ?? 0;
}

describe.skipIf(skip !== undefined)(
  'e2e-envoy: timeouts, retries, circuit breakers, outlier detection',
  () => {
    let edge: Edge;
    let port: number;
    const up: Record<string, EchoServer> = {};
    const resources = resourceDir();

    beforeAll(async () => {
      for (const name of [
        'slow',
        'flaky',
        'codes',
        'cb-pending',
        'cb-requests',
        'cb-connections',
        'pool-a',
        'pool-b',
      ]) {
        up[name] = await EchoServer.start({ name });
      }
      port = await freePort();
      const on = (name: string, spec: Obj) =>
        mapping(name, { hostname, service: (up[name] as EchoServer).address, ...spec });
      const poolPorts = [up['pool-a'], up['pool-b']].map((u) => (u as EchoServer).port);
      writeResources(resources.dir, 'resilience.yaml', [
        listener('http', port),
        host('resilience', { hostname, requestPolicy: { insecure: { action: 'Route' } } }),
        on('slow', { prefix: '/slow/', timeout_ms: 300 }),
        on('flaky', { prefix: '/flaky/', retry_policy: { retry_on: '5xx', num_retries: 3 } }),
        on('codes', {
          prefix: '/codes/',
          retry_policy: { retry_on: 'retriable-status-codes', retriable_status_codes: [418], num_retries: 2 },
        }),
        on('cb-pending', {
          prefix: '/cb-pending/',
          circuit_breakers: [{ max_connections: 1, max_pending_requests: 1 }],
        }),
        on('cb-requests', { prefix: '/cb-requests/', circuit_breakers: [{ max_requests: 1 }] }),
        on('cb-connections', { prefix: '/cb-connections/', circuit_breakers: [{ max_connections: 1 }] }),
        // Two endpoints behind one Service, for outlier detection.
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'pool', namespace: 'default' },
          spec: { ports: [{ name: 'http', port: 80 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'pool', namespace: 'default' },
          subsets: poolPorts.map((p) => ({
            addresses: [{ ip: '127.0.0.1' }],
            ports: [{ name: 'http', port: p }],
          })),
        },
        mapping('pool', {
          hostname,
          prefix: '/pool/',
          service: 'pool:80',
          resolver: 'endpoint',
          outlier_detection: {
            consecutive_5xx: 3,
            interval: '1s',
            base_ejection_time: '60s',
            max_ejection_percent: 50,
          },
        }),
      ]);
      edge = await startEdge({ resources: resources.dir, name: 'resilience' });
      await waitForListeners(edge.envoy, 1);
    });
    afterAll(async () => {
      await edge?.stop();
      await Promise.all(Object.values(up).map((u) => u.close()));
      resources.remove();
    });
    // Every test's configuration (and anything it changed) must have been taken whole by Envoy.
    afterEach(async () => {
      await expectNoRejectedUpdates(edge.envoy);
    });
    beforeEach(() => {
      for (const u of Object.values(up)) {
        u.take();
        u.setStatus(undefined);
      }
    });

    const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(80), edge.attache.tail(40)));
    const get = (path: string, headers: Record<string, string> = {}) =>
      request(port, path, { host: hostname, headers });

    it('Envoy accepts every update, EDS included, and Attaché reports no error', async () => {
      showLogs();
      expect(await edge.attache.diagnostics()).not.toContainEqual(
        expect.objectContaining({ severity: 'error' }),
      );
      await expectNoRejectedUpdates(edge.envoy);
      expect((await edge.envoy.xdsStats()).eds.updateSuccess).toBeGreaterThan(0);
    });

    describe('timeout_ms', () => {
      it('a slower upstream gets 504 after the route timeout; a quick one is answered', async () => {
        showLogs();
        const cluster = await clusterWith(edge.envoy, (up.slow as EchoServer).address);
        const before = await counter(edge.envoy, `cluster.${cluster}.upstream_rq_timeout`);
        const slow = await get('/slow/x', { 'x-echo-delay-ms': '2000' });
        expect(slow.status).toBe(504);
        expect(slow.body).toBe('upstream request timeout');
        expect(await counter(edge.envoy, `cluster.${cluster}.upstream_rq_timeout`)).toBe(before + 1);
        const quick = await get('/slow/y');
        expect(quick.status).toBe(200);
        expect(echoed(quick).headers['x-envoy-expected-rq-timeout-ms']).toBe('300');
      });
    });

    describe('retry_policy', () => {
      it('retry_on 5xx: an upstream failing twice is answered on the third try', async () => {
        showLogs();
        const flaky = up.flaky as EchoServer;
        flaky.failNext(2);
        const r = await get('/flaky/a');
        expect(r.status).toBe(200);
        expect(flaky.take()).toHaveLength(3);
      });

      it('num_retries 3: an upstream failing five times is tried four times, and its 503 reaches the client', async () => {
        showLogs();
        const flaky = up.flaky as EchoServer;
        const cluster = await clusterWith(edge.envoy, flaky.address);
        const before = await counter(edge.envoy, `cluster.${cluster}.upstream_rq_retry`);
        flaky.failNext(5);
        const r = await get('/flaky/b');
        expect(r.status).toBe(503);
        expect(flaky.take()).toHaveLength(4);
        expect(await counter(edge.envoy, `cluster.${cluster}.upstream_rq_retry`)).toBe(before + 3);
        flaky.failNext(0);
      });

      it('retriable-status-codes retries only the listed codes', async () => {
        showLogs();
        const codes = up.codes as EchoServer;
        codes.failNext(2, 418);
        expect((await get('/codes/a')).status).toBe(200);
        expect(codes.take()).toHaveLength(3);
        codes.failNext(1, 500);
        expect((await get('/codes/b')).status).toBe(500);
        expect(codes.take()).toHaveLength(1);
      });
    });

    describe('circuit_breakers', () => {
      /**
       * `n` concurrent requests the upstream holds for `delayMs` each: long
       * enough that all of them reach Envoy while the first is still held.
       */
      const burst = (path: string, n: number, delayMs: number) =>
        Promise.all(
          Array.from({ length: n }, (_, i) => get(`${path}${i}`, { 'x-echo-delay-ms': String(delayMs) })),
        );

      it('max_connections 1 + max_pending_requests 1: the overflow gets 503 x-envoy-overloaded, counted', async () => {
        showLogs();
        const cluster = await clusterWith(edge.envoy, (up['cb-pending'] as EchoServer).address);
        const stat = `cluster.${cluster}.upstream_rq_pending_overflow`;
        const before = await counter(edge.envoy, stat);
        const answers = await burst('/cb-pending/', 6, 1000);
        const ok = answers.filter((a) => a.status === 200).length;
        const overflow = answers.filter(
          (a) => a.status === 503 && a.headers['x-envoy-overloaded'] === 'true',
        ).length;
        expect(ok).toBeGreaterThanOrEqual(1);
        expect(ok).toBeLessThanOrEqual(2);
        expect(ok + overflow).toBe(6);
        expect(await counter(edge.envoy, stat)).toBe(before + overflow);
        expect((up['cb-pending'] as EchoServer).take()).toHaveLength(ok);
      });

      it('max_requests 1: concurrent requests past the first get 503 x-envoy-overloaded, counted', async () => {
        showLogs();
        const cluster = await clusterWith(edge.envoy, (up['cb-requests'] as EchoServer).address);
        // Envoy counts a max_requests overflow apart from a pending-queue one.
        const stat = `cluster.${cluster}.upstream_rq_active_overflow`;
        const before = await counter(edge.envoy, stat);
        const answers = await burst('/cb-requests/', 4, 1000);
        const ok = answers.filter((a) => a.status === 200).length;
        const overflow = answers.filter(
          (a) => a.status === 503 && a.headers['x-envoy-overloaded'] === 'true',
        ).length;
        expect(ok).toBe(1);
        expect(overflow).toBe(3);
        expect(await counter(edge.envoy, stat)).toBe(before + 3);
      });

      it('max_connections 1 alone: requests queue on the one connection and all succeed; the connection overflow is counted', async () => {
        showLogs();
        const cluster = await clusterWith(edge.envoy, (up['cb-connections'] as EchoServer).address);
        const stat = `cluster.${cluster}.upstream_cx_overflow`;
        const before = await counter(edge.envoy, stat);
        const answers = await burst('/cb-connections/', 3, 300);
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
        expect(await counter(edge.envoy, stat)).toBeGreaterThan(before);
        expect(await counter(edge.envoy, `cluster.${cluster}.upstream_cx_total`)).toBe(1);
      });
    });

    describe('outlier_detection', () => {
      it('ejects the endpoint that keeps failing: /clusters marks it, traffic goes to the other', async () => {
        showLogs();
        const [a, b] = [up['pool-a'] as EchoServer, up['pool-b'] as EchoServer];
        const cluster = await clusterWith(edge.envoy, a.address);
        expect(await clusterWith(edge.envoy, b.address)).toBe(cluster);
        const health = async () =>
          Object.fromEntries(
            ((await edge.envoy.clusters()).find((c) => c.name === cluster)?.hosts ?? []).map((h) => [
              h.address,
              h.healthy,
            ]),
          );
        expect(await health()).toEqual({ [a.address]: true, [b.address]: true });
        // Round robin over both until b has failed 3 times in a row.
        b.setStatus(503);
        let failures = 0;
        for (let i = 0; i < 20 && failures < 3; i++)
          if ((await get(`/pool/${i}`)).status === 503) failures += 1;
        expect(failures).toBe(3);
        await edge.envoy.waitFor(async () => (await health())[b.address] === false, {
          what: `${b.address} ejected`,
        });
        expect(await health()).toEqual({ [a.address]: true, [b.address]: false });
        const raw = JSON.parse((await edge.envoy.admin('/clusters?format=json')).body) as {
          cluster_statuses: Array<{
            name: string;
            host_statuses: Array<{ address: Obj; health_status: Obj }>;
          }>;
        };
        const ejected = raw.cluster_statuses
          .find((c) => c.name === cluster)
          ?.host_statuses.find((h) => (h.address.socket_address as Obj).port_value === b.port);
        expect(ejected?.health_status.failed_outlier_check).toBe(true);
        expect(
          await counter(
            edge.envoy,
            `cluster.${cluster}.outlier_detection.ejections_enforced_consecutive_5xx`,
          ),
        ).toBe(1);
        // Every request now reaches a, though b still fails.
        a.take();
        b.take();
        for (let i = 0; i < 10; i++) {
          const r = await get(`/pool/after-${i}`);
          expect(r.status).toBe(200);
          expect(echoed(r).backend).toBe('pool-a');
        }
        expect(b.take()).toEqual([]);
      });
    });
  },
);
