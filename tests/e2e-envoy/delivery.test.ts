import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  adsCounters,
  backendAt,
  envoyCounter,
  type LoopResult,
  requestLoop,
  streamVariants,
  waitForBackend,
} from './ads-traffic.js';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  listener,
  mapping,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';

/**
 * Delivery to a real Envoy, over SotW and over delta ADS: `attache serve`
 * watches a folder, Envoy runs on the bootstrap it wrote (a delta bootstrap
 * when the file sink says `ads.delta: true`), and every change is judged by a
 * request through Envoy — a live edit, a deleted file, an edit that does not
 * parse, and a change that moves routes to new clusters while traffic flows
 * (make-before-break: no request may meet a missing cluster).
 */
const skip = edgeSkipReason('e2e-envoy delivery');
if (skip) console.warn(skip);

const variants = [
  { variant: 'sotw', delta: false },
  { variant: 'delta', delta: true },
] as const;

for (const { variant, delta } of variants) {
  describe.skipIf(skip !== undefined)(`e2e-envoy delivery over ${variant} ADS`, () => {
    let edge: Edge;
    let upstreams: Record<'a' | 'b' | 'c', EchoServer>;
    /** The make-before-break moves' own upstreams, so no other Mapping holds their clusters. */
    let movers: EchoServer[];
    let port: number;
    const resources = resourceDir();

    beforeAll(async () => {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => EchoServer.start({ name })));
      upstreams = { a: a!, b: b!, c: c! };
      movers = await Promise.all(['one', 'two', 'three'].map((name) => EchoServer.start({ name })));
      port = await freePort();
      writeResources(resources.dir, 'listener.yaml', [listener('edge', port)]);
      writeResources(resources.dir, 'api.yaml', [mapping('api', { prefix: '/api/', service: a!.address })]);
      edge = await startEdge({ resources: resources.dir, delta, name: `delivery-${variant}` });
      await waitForBackend(edge.envoy, port, '/api/x', 'a');
    });
    afterAll(async () => {
      await edge?.stop();
      await Promise.all([...Object.values(upstreams ?? {}), ...(movers ?? [])].map((u) => u.close()));
      resources.remove();
    });
    beforeEach(() => {
      onTestFailed(() => console.error(edge.envoy.tail(60), '\n--- attache ---\n', edge.attache.tail(40)));
    });

    it(`Envoy speaks ${variant} ADS on the bootstrap serve wrote, and accepts everything`, async () => {
      expect(await streamVariants(edge.attache)).toEqual([variant]);
      const counters = await adsCounters(edge.attache);
      expect(counters.get(`attache_xds_acks_total{Listener,${variant}}`)).toBeGreaterThan(0);
      const xds = await edge.envoy.xdsStats();
      expect(xds.lds.updateRejected + xds.cds.updateRejected + xds.rds.updateRejected).toBe(0);
    });

    it('a live file edit reaches Envoy: the next requests go where the edited Mapping says', async () => {
      writeResources(resources.dir, 'api.yaml', [
        mapping('api', { prefix: '/api/', service: upstreams.b.address }),
      ]);
      await waitForBackend(edge.envoy, port, '/api/x', 'b');
      // And the upstream saw Emissary's prefix rewrite on the new route too.
      upstreams.b.take();
      expect(await backendAt(port, '/api/v2/items')).toBe('b');
      expect(upstreams.b.take().map((r) => r.path)).toEqual(['/v2/items']);
    });

    it('a deleted file removes its routes from Envoy', async () => {
      const file = writeResources(resources.dir, 'extra.yaml', [
        mapping('extra', { prefix: '/extra/', service: upstreams.c.address }),
      ]);
      await waitForBackend(edge.envoy, port, '/extra/x', 'c');
      rmSync(file);
      await waitForBackend(edge.envoy, port, '/extra/x', 'status 404');
      // The rest is untouched, and its cluster is gone from Envoy (no Mapping uses c any more).
      expect(await backendAt(port, '/api/x')).toBe('b');
      await edge.envoy.waitFor(
        async () =>
          !(await edge.envoy.dynamicNames()).clusters.some((n) => n.includes(String(upstreams.c.port))),
        { what: "c's cluster removed from Envoy" },
      );
    });

    it('an edit that does not parse leaves Envoy on the last good configuration and names the problem', async () => {
      const before = await edge.envoy.xdsStats();
      // The broken edit would send /api/ to c, if it were read.
      writeFileSync(
        join(resources.dir, 'api.yaml'),
        `apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: api, namespace: default\nspec: {hostname: '*', prefix: /api/, service: '${upstreams.c.address}'}\n`,
      );
      let problem: { code: string; message: string } | undefined;
      await edge.attache.waitFor(
        async () => {
          problem = (await edge.attache.diagnostics()).find((d) => d.code === 'SOURCE_ERROR');
          return problem !== undefined;
        },
        { what: 'a SOURCE_ERROR diagnostic for api.yaml' },
      );
      expect(problem?.message).toContain('api.yaml');
      expect(problem?.message).toContain('last good contents');
      const answers = new Set<string>();
      for (let i = 0; i < 20; i++) answers.add(await backendAt(port, '/api/x'));
      expect([...answers]).toEqual(['b']);
      const after = await edge.envoy.xdsStats();
      expect(after.lds.updateRejected + after.cds.updateRejected + after.rds.updateRejected).toBe(0);
      // Nothing new reached Envoy: the broken file changed nothing it serves.
      expect(after.rds.updateSuccess).toBe(before.rds.updateSuccess);

      // The fix is taken at once and clears the diagnostic.
      writeResources(resources.dir, 'api.yaml', [
        mapping('api', { prefix: '/api/', service: upstreams.c.address }),
      ]);
      await waitForBackend(edge.envoy, port, '/api/x', 'c');
      await edge.attache.waitFor(
        async () => !(await edge.attache.diagnostics()).some((d) => d.code === 'SOURCE_ERROR'),
        { what: 'the SOURCE_ERROR diagnostic to clear' },
      );
    });

    it('a Mapping edited into an invalid one keeps its last good route on Envoy, and the problem is named', async () => {
      writeResources(resources.dir, 'lg.yaml', [
        mapping('lg', { prefix: '/lg/', service: upstreams.a.address }),
      ]);
      await waitForBackend(edge.envoy, port, '/lg/x', 'a');
      // Valid YAML, invalid Mapping: no service.
      writeResources(resources.dir, 'lg.yaml', [mapping('lg', { prefix: '/lg/', service: '' })]);
      let codes: string[] = [];
      await edge.attache.waitFor(
        async () => {
          codes = (await edge.attache.diagnostics())
            .filter((d) => d.severity === 'error' && d.resource?.name === 'lg')
            .map((d) => d.code);
          return codes.includes('RESOURCE_LAST_GOOD');
        },
        { what: 'Mapping lg reported as serving its last good version' },
      );
      // Its own error is named beside the fallback.
      expect(codes.filter((c) => c !== 'RESOURCE_LAST_GOOD').length).toBeGreaterThan(0);
      const answers = new Set<string>();
      for (let i = 0; i < 20; i++) answers.add(await backendAt(port, '/lg/x'));
      expect([...answers]).toEqual(['a']);
      const xds = await edge.envoy.xdsStats();
      expect(xds.lds.updateRejected + xds.cds.updateRejected + xds.rds.updateRejected).toBe(0);

      writeResources(resources.dir, 'lg.yaml', [
        mapping('lg', { prefix: '/lg/', service: upstreams.b.address }),
      ]);
      await waitForBackend(edge.envoy, port, '/lg/x', 'b');
      await edge.attache.waitFor(
        async () => !(await edge.attache.diagnostics()).some((d) => d.resource?.name === 'lg'),
        { what: "Mapping lg's diagnostics to clear after the fix" },
      );
    });

    it('make-before-break: moving routes to new clusters under load never meets a missing cluster', async () => {
      const paths = Array.from({ length: 8 }, (_, i) => `/m${i}/x`);
      const moves = (to: EchoServer) =>
        writeResources(
          resources.dir,
          'moves.yaml',
          paths.map((_, i) => mapping(`m${i}`, { prefix: `/m${i}/`, service: to.address })),
        );
      const [one, two, three] = movers as [EchoServer, EchoServer, EchoServer];
      moves(one);
      for (const path of paths) await waitForBackend(edge.envoy, port, path, 'one');
      const noClusterBefore = await envoyCounter(edge.envoy, 'no_cluster');
      const noRouteBefore = await envoyCounter(edge.envoy, 'no_route');

      const flips: Array<[EchoServer, EchoServer]> = [
        [one, two],
        [two, three],
        [three, one],
      ];
      const results: LoopResult[] = [];
      for (const [from, to] of flips) {
        let written = false;
        const result = await requestLoop({
          port,
          paths,
          max: 2_000,
          done: (r) => {
            // The change is made while requests are in flight, then 400 more answers from the new cluster.
            if (!written && r.total >= 50) {
              written = true;
              moves(to);
            }
            return (r.backends.get(to.name) ?? 0) >= 400;
          },
        });
        results.push(result);
        expect(result.failures, `${from.name} → ${to.name}`).toEqual([]);
        expect(
          result.backends.get(to.name) ?? 0,
          `the move ${from.name} → ${to.name} was seen`,
        ).toBeGreaterThanOrEqual(400);
        // The old cluster is really gone from Envoy: the routes moved to a new one.
        await edge.envoy.waitFor(
          async () => !(await edge.envoy.dynamicNames()).clusters.some((n) => n.includes(String(from.port))),
          { what: `${from.name}'s cluster removed after the move` },
        );
      }
      expect(results.map((r) => r.failures.length)).toEqual([0, 0, 0]);
      expect(await envoyCounter(edge.envoy, 'no_cluster')).toBe(noClusterBefore);
      expect(await envoyCounter(edge.envoy, 'no_route')).toBe(noRouteBefore);
      const xds = await edge.envoy.xdsStats();
      expect(xds.lds.updateRejected + xds.cds.updateRejected + xds.rds.updateRejected).toBe(0);
    });
  });
}
