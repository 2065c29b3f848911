import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminServer } from '../../packages/admin/src/index.js';
import { compileWorkerAvailable } from '../../packages/runtime/src/index.js';
import { type Pipeline, Runtime, type StoredResource, silentLogger } from './deps.js';

/**
 * Compiling must not block the runtime's thread: with the compile worker, the
 * admin server answers /healthz while a large configuration compiles. A gate
 * pass (fixtures/gated-worker-pipeline.mjs) holds the compile until the
 * runtime's thread has answered 20 probes; a compile in that thread could
 * never see them answered, and the gate would time out.
 */

const probesWanted = 20;
const pipelineModule = new URL('./fixtures/gated-worker-pipeline.mjs', import.meta.url).href;

function mapping(i: number): StoredResource {
  return {
    resource: {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: `m${i}`, namespace: 'default' },
      spec: {
        hostname: '*',
        prefix: `/svc-${i}/`,
        service: `svc-${i % 400}.default:80`,
        timeout_ms: 1000 + i,
      },
    },
    origin: { source: 'e2e', file: 'many.yaml', line: i + 1 },
  };
}

const listener: StoredResource = {
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name: 'edge', namespace: 'default' },
    spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
  },
  origin: { source: 'e2e' },
};

/** Probes /healthz from its own thread (so the test's probing does not need the runtime's loop); opens the gate after `wanted` answers. */
const proberSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, gate, wanted } = workerData;
const flag = new Int32Array(gate);
(async () => {
  const latencies = [];
  while (latencies.length < wanted) {
    const started = performance.now();
    const res = await fetch(url);
    await res.text();
    if (res.ok) latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 5));
  }
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  parentPort.postMessage(latencies);
})();
`;

let runtime: Runtime | undefined;
let admin: ReturnType<typeof createAdminServer> | undefined;
afterEach(async () => {
  await runtime?.stop();
  await admin?.close();
  runtime = undefined;
  admin = undefined;
});

describe.skipIf(!compileWorkerAvailable())('compile worker', () => {
  it('answers /healthz while 3,000 Mappings compile (20 probes served before the compile could end)', async () => {
    const gate = new SharedArrayBuffer(4);
    // Without the worker the gate times out after capMs and the test fails.
    const pipelineData = { gate, capMs: 30_000 };
    const { createWorkerPipeline } = (await import(pipelineModule)) as {
      createWorkerPipeline(data: unknown): Pipeline;
    };
    const rt = new Runtime({
      pipeline: createWorkerPipeline(pipelineData),
      sources: new Map(),
      sinks: new Map(),
      logger: silentLogger(),
      baseDir: process.cwd(),
      compileWorker: { pipelineModule, pipelineData },
    });
    runtime = rt;
    admin = createAdminServer({
      address: { host: '127.0.0.1', port: 0 },
      state: { snapshot: () => rt.snapshot(), diagnostics: () => rt.diagnostics() },
    });
    const { url } = await admin.listen();
    await rt.start();

    const store = rt.store.writerFor('e2e', 'http');
    store.replace('many.yaml', [listener, ...Array.from({ length: 3000 }, (_, i) => mapping(i))]);
    store.synced();
    const prober = new Worker(proberSource, {
      eval: true,
      workerData: { url: `${url}/healthz`, gate, wanted: probesWanted },
    });
    const latencies = new Promise<number[]>((resolve, reject) => {
      prober.once('message', resolve);
      prober.once('error', reject);
    });
    const started = performance.now();
    await rt.flush();
    const cycleMs = performance.now() - started;
    const answered = await latencies;
    await prober.terminate();

    const codes = rt.diagnostics().map((d) => d.code);
    expect(codes).toContain('GATE_OPENED');
    expect(codes).not.toContain('GATE_TIMED_OUT');
    expect(answered).toHaveLength(probesWanted);
    // No probe waited for the compile to end (the figures go to the output for the record).
    const max = Math.max(...answered);
    process.stdout.write(
      `compile-worker: ${probesWanted} /healthz answered during a ${cycleMs.toFixed(0)} ms cycle, max ${max.toFixed(1)} ms\n`,
    );
    expect(max).toBeLessThan(cycleMs);
    // The compile produced the configuration: one route per Mapping.
    const routes = JSON.stringify(rt.snapshot()?.resources ?? {}).match(/"prefix":"\/svc-/g) ?? [];
    expect(routes).toHaveLength(3000);
  }, 120_000);

  it('keeps the last good version of a Mapping that turned invalid, compiling in the worker', async () => {
    const { createWorkerPipeline } = (await import(pipelineModule)) as {
      createWorkerPipeline(data: unknown): Pipeline;
    };
    const rt = new Runtime({
      pipeline: createWorkerPipeline({}),
      sources: new Map(),
      sinks: new Map(),
      logger: silentLogger(),
      baseDir: process.cwd(),
      now: () => new Date('2026-12-06T08:00:00.000Z'),
      compileWorker: { pipelineModule, pipelineData: {} },
    });
    runtime = rt;
    await rt.start();
    await rt.compileWorker!.ready();
    const store = rt.store.writerFor('e2e', 'http');
    store.replace('many.yaml', [listener, mapping(1), mapping(2)]);
    store.synced();
    await rt.flush();
    const good = JSON.stringify(rt.snapshot()!.resources);
    expect(good).toContain('/svc-2/');

    const broken = mapping(2);
    (broken.resource.spec as Record<string, unknown>).service = '';
    store.replace('many.yaml', [listener, mapping(1), broken]);
    await rt.flush();
    expect(rt.compileWorker).toBeDefined();
    expect(JSON.stringify(rt.snapshot()!.resources)).toBe(good);
    const lastGood = rt.diagnostics().filter((d) => d.code === 'RESOURCE_LAST_GOOD');
    expect(lastGood).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ name: 'm2' }),
        message: expect.stringContaining('since 2026-12-06T08:00:00.000Z'),
      }),
    ]);
  }, 60_000);
});
