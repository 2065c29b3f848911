/**
 * The compile worker: a worker thread that holds its own copy of the
 * pipeline and compiles there, so the runtime's event loop (admin server,
 * ADS streams, health probes) stays free during a compile of any size.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import {
  createIncrementalCompiler,
  type IncrementalCompiler,
  type Pipeline,
  type StoredResource,
} from '@attache/core';
import type {
  CompileWorkerInit,
  FromCompileWorker,
  ToCompileWorker,
  WireGroupResult,
  WorkerHeap,
} from './compile-protocol.js';
import { LastGoodResources } from './last-good.js';
import { timePasses } from './pass-timing.js';
import { type SentGroup, WireResultWriter } from './wire-result.js';

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

const collectGarbage = exposeGc();
const timed = timePasses(pipeline);

/** A full GC of this thread's heap, without starting node with --expose-gc. */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** Per group: an incremental compiler, which reuses what it computed for inputs that did not change. */
const incrementalCompilers = new Map<string, IncrementalCompiler>();
function incrementalCompilerOf(group: string): IncrementalCompiler {
  let compiler = incrementalCompilers.get(group);
  if (!compiler) {
    compiler = createIncrementalCompiler(timed.pipeline);
    incrementalCompilers.set(group, compiler);
  }
  return compiler;
}

/** The input resources the runtime sent, by id. */
let held = new Map<number, StoredResource>();
let now = new Date();
const lastGood = new Map<string, LastGoodResources>();

/** What was last sent to the runtime, per group. */
const writer = new WireResultWriter();

/**
 * A compile that grows the heap by this much since the last full GC is followed by one (10,000
 * Mappings compiled in full leave hundreds of MB); an edit's few MB are left to V8's own
 * collector, so the worker does not stop for a full mark-compact after every keystroke.
 */
const collectAfterGrowthBytes = 64 * 1024 * 1024;
let usedAfterLastGc = 0;

port.on('message', (message: ToCompileWorker) => {
  if (message.kind === 'inputs') {
    for (const [id, stored] of message.chunk) held.set(id, stored);
    return;
  }
  if (message.kind === 'measure-heap') {
    post({ kind: 'heap', ...collectAndMeasure() });
    return;
  }
  const resources: StoredResource[] = [];
  const kept = new Map<number, StoredResource>();
  for (const id of message.inputs) {
    const stored = held.get(id);
    if (!stored) {
      post({ kind: 'failed-sync', id: message.id, message: `input ${id} was never sent` });
      held = kept;
      return;
    }
    resources.push(stored);
    kept.set(id, stored);
  }
  held = kept;
  now = new Date(message.now);
  if (message.resend) writer.forget();
  const started = performance.now();
  timed.take();
  try {
    // What was sent is remembered only once every group compiled, so a throw leaves both sides in step.
    const remembered = new Map<string, SentGroup>();
    const groups = message.groups.map((group): WireGroupResult => {
      const compileOnce = (list: readonly StoredResource[]) =>
        incrementalCompilerOf(group).compile(list, { ambassadorId: group, now: now.getTime() });
      let memory = lastGood.get(group);
      if (!memory) {
        memory = new LastGoodResources(() => now);
        lastGood.set(group, memory);
      }
      const result = message.keepLastGood ? memory.compile(resources, compileOnce) : compileOnce(resources);
      const wire = writer.write(group, result);
      remembered.set(group, wire.after);
      const { after: _, ...change } = wire;
      return { group, diagnostics: result.diagnostics, ...change };
    });
    for (const [group, after] of remembered) writer.remember(group, after);
    const compileMs = performance.now() - started;
    post({ kind: 'result', id: message.id, groups, compileMs, passMs: timed.take() });
    // After the result: collecting never delays a configuration. Off the event loop's thread,
    // it keeps this heap (and the process's resident set) from growing to hold a full compile's garbage.
    if (getHeapStatistics().used_heap_size - usedAfterLastGc > collectAfterGrowthBytes) {
      post({ kind: 'heap', ...collectAndMeasure() });
    }
  } catch (e) {
    post({ kind: 'failed', id: message.id, message: (e as Error).stack ?? String(e) });
  }
});

function collectAndMeasure(): WorkerHeap {
  collectGarbage?.();
  const heap = getHeapStatistics();
  usedAfterLastGc = heap.used_heap_size;
  return {
    heapUsedBytes: heap.used_heap_size,
    heapTotalBytes: heap.total_heap_size,
    externalBytes: heap.external_memory,
  };
}
