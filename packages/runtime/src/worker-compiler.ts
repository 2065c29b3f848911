import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompileResult, Pipeline, StoredResource } from '@attache/core';
import type {
  CompileWorkerInit,
  FromCompileWorker,
  ToCompileWorker,
  WireGroupResult,
  WorkerHeap,
} from './compile-protocol.js';
import { EventLoopSlicer } from './event-loop-slicer.js';
import { WireResultReader } from './wire-result.js';

/** compile() threw inside the worker: a plugin bug, not a broken worker. */
export class CompileThrewError extends Error {}

export type GroupResults = Map<string, Pick<CompileResult, 'xds' | 'diagnostics'>>;

/** Inputs per message: small enough that serialising one chunk is a short task. */
const chunkSize = 500;

/**
 * The runtime's side of the compile worker. The worker compiles; this side
 * only moves data, in slices that yield to the event loop, so health probes,
 * metrics and xDS streams are answered while a large configuration compiles.
 * Results carry the JSON of changed resources only; unchanged ones keep the
 * objects of the previous result (which also lets the ADS sink reuse their encoding).
 */
export class WorkerCompiler {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  readonly #waiting = new Map<
    number,
    { resolve: (groups: WireGroupResult[]) => void; reject: (e: Error) => void }
  >();
  /** The last result per group, which the worker's next result changes. */
  readonly #reader = new WireResultReader();
  /** Callers of measureHeap() waiting for the worker's answer. */
  #heapWaiters: Array<{ resolve: (heap: WorkerHeap) => void; reject: (e: Error) => void }> = [];
  #nextId = 1;
  #resend = false;
  /** Ids of input objects; the worker holds those of the last compile. */
  #inputIds = new WeakMap<StoredResource, number>();
  #workerHolds = new Set<number>();
  #nextInputId = 1;
  #broken: Error | undefined;
  /** Compile time inside the worker of the last cycle, for logs and the bench. */
  lastCompileMs = 0;
  /** Time per pass id in the worker's last compile. */
  lastPassMs: Record<string, number> = {};
  /**
   * The worker's heap after its last full GC (it collects after a compile that left much
   * garbage, and on measureHeap()): in use, capacity, off-heap.
   */
  lastHeapUsedBytes = 0;
  lastHeapTotalBytes = 0;
  lastExternalBytes = 0;

  constructor(init: CompileWorkerInit, expected: Pipeline) {
    this.#worker = new Worker(compileWorkerScript(), {
      workerData: init,
      // Built code only: a parent started with `--conditions source` (tests) would resolve TypeScript sources.
      execArgv: withoutConditions(process.execArgv),
    });
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#worker.on('message', (message: FromCompileWorker) => {
        switch (message.kind) {
          case 'ready': {
            const mine = expected.passes.map((p) => p.id).join(',');
            if (message.passes.join(',') !== mine) {
              reject(
                new Error(
                  `the compile worker built another pipeline (passes ${message.passes.join(', ')}; expected ${mine})`,
                ),
              );
            } else resolve();
            return;
          }
          case 'init-failed':
            reject(new Error(`the compile worker could not build the pipeline: ${message.message}`));
            return;
          case 'result':
            this.lastCompileMs = message.compileMs;
            this.lastPassMs = message.passMs ?? {};
            this.#waiting.get(message.id)?.resolve(message.groups);
            this.#waiting.delete(message.id);
            return;
          case 'heap': {
            this.lastHeapUsedBytes = message.heapUsedBytes;
            this.lastHeapTotalBytes = message.heapTotalBytes;
            this.lastExternalBytes = message.externalBytes;
            const waiters = this.#heapWaiters;
            this.#heapWaiters = [];
            for (const w of waiters) w.resolve(message);
            return;
          }
          case 'failed':
            this.#waiting.get(message.id)?.reject(new CompileThrewError(message.message));
            this.#waiting.delete(message.id);
            return;
          case 'failed-sync':
            this.#waiting.get(message.id)?.reject(new Error(message.message));
            this.#waiting.delete(message.id);
            return;
        }
      });
      this.#worker.on('error', (e) => {
        this.#broken = e;
        reject(e);
        this.#rejectAll(e);
      });
      this.#worker.on('exit', (code) => {
        const e = new Error(`the compile worker exited with code ${code}`);
        this.#broken ??= e;
        reject(e);
        this.#rejectAll(e);
      });
    });
    // A rejection nobody awaited yet must not crash the process; compile() reports it.
    this.#ready.catch(() => {});
  }

  #rejectAll(e: Error): void {
    for (const w of this.#waiting.values()) w.reject(e);
    this.#waiting.clear();
    for (const w of this.#heapWaiters) w.reject(e);
    this.#heapWaiters = [];
  }

  /** Resolves once the worker has its pipeline; rejects when it cannot build the same one. */
  ready(): Promise<void> {
    return this.#ready;
  }

  async compile(
    resources: readonly StoredResource[],
    groups: readonly string[],
    options: { keepLastGood: boolean; now: Date },
  ): Promise<GroupResults> {
    await this.#ready;
    if (this.#broken) throw this.#broken;
    const slicer = new EventLoopSlicer();
    const ids: number[] = [];
    let chunk: Array<[number, StoredResource]> = [];
    for (const stored of resources) {
      let inputId = this.#inputIds.get(stored);
      if (inputId === undefined) {
        inputId = this.#nextInputId++;
        this.#inputIds.set(stored, inputId);
      }
      ids.push(inputId);
      if (this.#workerHolds.has(inputId)) continue;
      chunk.push([inputId, stored]);
      if (chunk.length === chunkSize) {
        this.#post({ kind: 'inputs', chunk });
        chunk = [];
        await slicer.maybeYield();
      }
    }
    if (chunk.length > 0) this.#post({ kind: 'inputs', chunk });
    this.#workerHolds = new Set(ids);
    const id = this.#nextId++;
    const answer = new Promise<WireGroupResult[]>((resolve, reject) =>
      this.#waiting.set(id, { resolve, reject }),
    );
    this.#post({
      kind: 'compile',
      id,
      inputs: ids,
      groups,
      keepLastGood: options.keepLastGood,
      now: options.now.toISOString(),
      resend: this.#resend,
    });
    this.#resend = false;
    try {
      const wire = await answer;
      return await this.#reader.read(wire, () => slicer.maybeYield());
    } catch (e) {
      if (!(e instanceof CompileThrewError)) {
        // Out of step with the worker: the next compile sends and receives everything in full.
        this.#resend = true;
        this.#reader.forget();
        this.#workerHolds.clear();
      }
      throw e;
    }
  }

  /** Has the worker collect its garbage and report its live heap (also kept in lastHeap*). */
  async measureHeap(): Promise<WorkerHeap> {
    await this.#ready;
    if (this.#broken) throw this.#broken;
    const answer = new Promise<WorkerHeap>((resolve, reject) => this.#heapWaiters.push({ resolve, reject }));
    this.#post({ kind: 'measure-heap' });
    return answer;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #post(message: ToCompileWorker): void {
    this.#worker.postMessage(message);
  }
}

/**
 * The worker's script: compile-worker.js beside this module when running
 * built code; from sources (tests), the built copy in dist/. Undefined when
 * there is none (then the runtime compiles in its own thread).
 */
export function compileWorkerScript(): URL {
  const here = new URL('./compile-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../dist/compile-worker.js', import.meta.url);
}

function withoutConditions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=') && !arg.startsWith('-C=')) out.push(arg);
  }
  return out;
}

export function compileWorkerAvailable(): boolean {
  return existsSync(fileURLToPath(compileWorkerScript()));
}
