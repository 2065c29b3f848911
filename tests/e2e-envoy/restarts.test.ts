import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { backendAt, backgroundLoop, streamVariants, waitForBackend } from './ads-traffic.js';
import {
  AttacheProcess,
  EchoServer,
  EnvoyProcess,
  edgeSkipReason,
  freePort,
  listener,
  mapping,
  resourceDir,
  writeResources,
} from './edge.js';

/**
 * Either end of the ADS stream dies and comes back, over SotW and delta:
 * an Envoy killed and started again on the same bootstrap reconnects and gets
 * the configuration as it is now; an Attaché killed (SIGKILL, no goodbye) and
 * started again on the same ports finds Envoy still serving what it had —
 * requests keep succeeding all through the outage — and resyncs it, an edit
 * made while it was down included, without a single failed request.
 */
const skip = edgeSkipReason('e2e-envoy restarts');
if (skip) console.warn(skip);

const variants = [
  { variant: 'sotw', delta: false },
  { variant: 'delta', delta: true },
] as const;

for (const { variant, delta } of variants) {
  describe.skipIf(skip !== undefined)(`e2e-envoy restarts over ${variant} ADS`, () => {
    let attache: AttacheProcess;
    let envoy: EnvoyProcess;
    let a: EchoServer;
    let b: EchoServer;
    let c: EchoServer;
    let port: number;
    const resources = resourceDir();
    const startEnvoy = (attachePs: AttacheProcess) =>
      EnvoyProcess.start({ bootstrap: attachePs.bootstrapPath, name: `restarts-${variant}` });

    beforeAll(async () => {
      [a, b, c] = (await Promise.all(['a', 'b', 'c'].map((name) => EchoServer.start({ name })))) as [
        EchoServer,
        EchoServer,
        EchoServer,
      ];
      port = await freePort();
      writeResources(resources.dir, 'listener.yaml', [listener('edge', port)]);
      writeResources(resources.dir, 'api.yaml', [mapping('api', { prefix: '/api/', service: a.address })]);
      attache = await AttacheProcess.start({ resources: resources.dir, delta });
      envoy = await startEnvoy(attache);
      await waitForBackend(envoy, port, '/api/x', 'a');
    });
    afterAll(async () => {
      await envoy?.stop();
      await attache?.stop();
      await Promise.all([a, b, c].map((u) => u?.close()));
      resources.remove();
    });
    beforeEach(() => {
      onTestFailed(() => console.error(envoy.tail(60), '\n--- attache ---\n', attache.tail(40)));
    });

    it('Envoy killed and started again on the same bootstrap reconnects and gets the current configuration', async () => {
      await envoy.kill();
      // The configuration moves on while no Envoy is connected.
      writeResources(resources.dir, 'api.yaml', [mapping('api', { prefix: '/api/', service: b.address })]);
      writeResources(resources.dir, 'late.yaml', [mapping('late', { prefix: '/late/', service: c.address })]);
      await attache.waitFor(async () => (await streamVariants(attache)).length === 0, {
        what: "the dead Envoy's stream to close",
      });
      // The edits are compiled before Envoy comes back (otherwise it would rightly get the old state).
      await attache.waitFor(
        async () =>
          JSON.stringify((await attache.api('/api/snapshot?full=1')).body).includes(`"port_value":${c.port}`),
        { what: 'the edits made while Envoy was down to be compiled' },
      );
      envoy = await startEnvoy(attache);
      // Ready means its initial xDS fetch is done: the first requests already see the current state.
      expect(await backendAt(port, '/api/x')).toBe('b');
      expect(await backendAt(port, '/late/x')).toBe('c');
      expect(await streamVariants(attache)).toEqual([variant]);
      const xds = await envoy.xdsStats();
      expect(xds.lds.updateRejected + xds.cds.updateRejected + xds.rds.updateRejected).toBe(0);
    });

    // SotW never tells a new control plane which clusters the Envoy holds (delta does:
    // initial_resource_versions), so only over delta can an edit made during the outage move a
    // route to another cluster without a moment of "no cluster" (plugins/sink-ads/README.md,
    // "Control plane restarts"). Over SotW the edit adds a route instead.
    const movesRoute = delta;
    it(`Attaché killed while Envoy keeps serving, started again on the same ports, resyncs without a failed request${movesRoute ? ' (the edit made while it was down moves a route to another cluster)' : ''}`, async () => {
      writeResources(resources.dir, 'api.yaml', [mapping('api', { prefix: '/api/', service: b.address })]);
      writeResources(resources.dir, 'late.yaml', [mapping('late', { prefix: '/late/', service: c.address })]);
      await waitForBackend(envoy, port, '/api/x', 'b');
      await waitForBackend(envoy, port, '/late/x', 'c');
      const loop = backgroundLoop({ port, paths: ['/api/x', '/late/x'], workers: 2 });
      try {
        await envoy.waitFor(() => loop.total >= 100, { what: '100 requests before the outage' });
        const { adsPort, adminPort } = attache;
        await attache.kill();
        await attache.stop(); // removes its work folder; the process is already gone
        const atKill = loop.total;
        // Envoy serves on what it had through the outage.
        await envoy.waitFor(() => loop.total >= atKill + 300, { what: '300 requests during the outage' });
        // An edit made while Attaché is down.
        writeResources(resources.dir, 'new.yaml', [mapping('new', { prefix: '/new/', service: c.address })]);
        if (movesRoute)
          writeResources(resources.dir, 'api.yaml', [
            mapping('api', { prefix: '/api/', service: c.address }),
          ]);
        attache = await AttacheProcess.start({ resources: resources.dir, delta, adsPort, adminPort });
        await waitForBackend(envoy, port, '/new/x', 'c', 30_000);
        await waitForBackend(envoy, port, '/api/x', movesRoute ? 'c' : 'b');
        expect(await streamVariants(attache)).toEqual([variant]);
        const atResync = loop.total;
        await envoy.waitFor(() => loop.total >= atResync + 100, { what: '100 requests after the resync' });
      } finally {
        const result = await loop.stop();
        expect(result.failures).toEqual([]);
        expect([...result.backends.keys()].sort()).toEqual(['b', 'c']);
      }
      if (movesRoute) {
        // b's cluster is gone: the route really moved to another cluster.
        await envoy.waitFor(
          async () => !(await envoy.dynamicNames()).clusters.some((n) => n.includes(String(b.port))),
          { what: "b's cluster removed" },
        );
      }
      const xds = await envoy.xdsStats();
      expect(xds.lds.updateRejected + xds.cds.updateRejected + xds.rds.updateRejected).toBe(0);
    });
  });
}
