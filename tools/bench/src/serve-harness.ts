import { type AdminServer, createAdminServer } from '@attache/admin';
import type { StoredResource } from '@attache/core';
import { compileWorkerAvailable, Runtime, silentLogger } from '@attache/runtime';
import { findScenario, generateCompileInputs } from './compile-inputs.js';
import { createWorkerPipeline } from './serve-pipeline.js';

export type CompileMode = 'worker' | 'main';

/**
 * What `attache serve` runs, in this process: the runtime with the ADS sink
 * and the admin server on free ports, fed a generated scenario through the
 * store (no file source, so the figures are about compiling and serving, not
 * YAML parsing). `edit(i)` changes one Mapping (a new timeout) and recompiles.
 */
export interface ServeHarness {
  runtime: Runtime;
  adminUrl: string;
  resources: number;
  /** Publishes edit number i (0 is the initial load) and resolves once it is published. */
  edit(i: number): Promise<void>;
  /**
   * The inputs of edit number i: the last ones with one Mapping changed, the others the same
   * objects; with `reread`, every input a new object of the same content (what a file source
   * writes after re-reading a file that holds them all).
   */
  inputsFor(i: number, reread?: boolean): StoredResource[];
  /** Writes inputs to the store and resolves once they are published. */
  publish(inputs: StoredResource[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startServeHarness(scenarioName: string, mode: CompileMode): Promise<ServeHarness> {
  const scenario = findScenario(scenarioName);
  if (!scenario) throw new Error(`unknown scenario ${scenarioName}`);
  if (mode === 'worker' && !compileWorkerAvailable()) {
    throw new Error('the compile worker script is not built (run the build first)');
  }
  const inputs = generateCompileInputs(scenario).resources;
  const mappingIndexes = inputs.flatMap((r, i) => (r.resource.kind === 'Mapping' ? [i] : []));
  const runtime = new Runtime({
    pipeline: createWorkerPipeline(),
    sources: new Map(),
    sinks: new Map([['ads', { address: '127.0.0.1:0' }]]),
    logger: silentLogger(),
    baseDir: process.cwd(),
    ...(mode === 'worker'
      ? { compileWorker: { pipelineModule: new URL('./serve-pipeline.js', import.meta.url).href } }
      : {}),
  });
  const admin: AdminServer = createAdminServer({
    address: { host: '127.0.0.1', port: 0 },
    state: { snapshot: () => runtime.snapshot(), diagnostics: () => runtime.diagnostics() },
  });
  const { url } = await admin.listen();
  await runtime.start();
  const store = runtime.store.writerFor('bench', 'http');
  let synced = false;
  const harness: ServeHarness = {
    runtime,
    adminUrl: url,
    resources: inputs.length,
    inputsFor(i, reread = false) {
      const target = mappingIndexes[i % mappingIndexes.length]!;
      const edited: StoredResource[] = inputs.slice();
      if (i > 0) {
        const stored = inputs[target]!;
        edited[target] = {
          ...stored,
          resource: { ...stored.resource, spec: { ...stored.resource.spec, timeout_ms: 10_000 + i } },
        };
      }
      return reread ? structuredClone(edited) : edited;
    },
    async publish(list) {
      store.replace('generated', list);
      if (!synced) {
        store.synced();
        synced = true;
      }
      await runtime.flush();
    },
    async edit(i) {
      await harness.publish(harness.inputsFor(i));
    },
    async stop() {
      await runtime.stop();
      await admin.close();
    },
  };
  return harness;
}
