/**
 * The compile worker: a worker thread that holds its own copy of the
 * pipeline and compiles there, so the runtime's event loop (admin server,
 * ADS streams, health probes) stays free during a compile of any size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CompileResult, compile, type Pipeline, type StoredResource, xdsPushOrder } from '@attache/core';
import type {
  CompileWorkerInit,
  FromCompileWorker,
  ToCompileWorker,
  WireGroupResult,
  WireResource,
} from './compile-protocol.js';
import { LastGoodResources } from './last-good.js';

const port = parentPort;
if (!port) throw new Error('compile-worker.js runs as a worker thread');
const post = (message: FromCompileWorker) => port.postMessage(message);

async function loadPipeline(init: CompileWorkerInit): Promise<Pipeline> {
  const mod = (await import(init.pipelineModule)) as {
    createWorkerPipeline?: (data: unknown) => Pipeline | Promise<Pipeline>;
  };
  if (typeof mod.createWorkerPipeline !== 'function') {
    throw new Error(`${init.pipelineModule} exports no createWorkerPipeline(data)`);
  }
  return mod.createWorkerPipeline(init.pipelineData);
}

let pipeline: Pipeline;
try {
  pipeline = await loadPipeline(workerData as CompileWorkerInit);
  post({ kind: 'ready', passes: pipeline.passes.map((p) => p.id) });
} catch (e) {
  post({ kind: 'init-failed', message: (e as Error).message ?? String(e) });
  throw e;
}

let inputs: StoredResource[] = [];
let now = new Date();
const lastGood = new Map<string, LastGoodResources>();
/** Per group: the version of each resource whose JSON was sent last. */
const sent = new Map<string, Map<string, string>>();

port.on('message', (message: ToCompileWorker) => {
  if (message.kind === 'inputs') {
    for (const stored of message.chunk) inputs.push(stored);
    return;
  }
  const resources = inputs;
  inputs = [];
  now = new Date(message.now);
  if (message.resend) sent.clear();
  const started = performance.now();
  try {
    const groups = message.groups.map((group): WireGroupResult => {
      const compileOnce = (list: readonly StoredResource[]) =>
        compile(list, pipeline, { ambassadorId: group });
      let memory = lastGood.get(group);
      if (!memory) {
        memory = new LastGoodResources(() => now);
        lastGood.set(group, memory);
      }
      const result = message.keepLastGood ? memory.compile(resources, compileOnce) : compileOnce(resources);
      return { group, diagnostics: result.diagnostics, resources: toWire(group, result) };
    });
    post({ kind: 'result', id: message.id, groups, compileMs: performance.now() - started });
  } catch (e) {
    post({ kind: 'failed', id: message.id, message: (e as Error).stack ?? String(e) });
  }
});

function toWire(group: string, result: CompileResult): WireResource[] {
  const before = sent.get(group) ?? new Map<string, string>();
  const after = new Map<string, string>();
  const out: WireResource[] = [];
  for (const typeUrl of xdsPushOrder) {
    for (const r of result.xds[typeUrl]) {
      const key = `${typeUrl} ${r.name}`;
      after.set(key, r.version);
      const wire: WireResource = { typeUrl, name: r.name, version: r.version, provenance: r.provenance };
      if (before.get(key) !== r.version) wire.json = JSON.stringify(r.resource);
      out.push(wire);
    }
  }
  sent.set(group, after);
  return out;
}
