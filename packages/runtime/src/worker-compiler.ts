import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type CompileResult,
  emptyXdsResources,
  type Pipeline,
  type StoredResource,
  type XdsResource,
} from '@attache/core';
import type {
  CompileWorkerInit,
  FromCompileWorker,
  ToCompileWorker,
  WireGroupResult,
} from './compile-protocol.js';
import { EventLoopSlicer } from './event-loop-slicer.js';

/** compile() threw inside the worker: a plugin bug, not a broken worker. */
export class CompileThrewError extends Error {}

export type GroupResults = Map<string, Pick<CompileResult, 'xds' | 'diagnostics'>>;

/** Resources whose JSON text is kept beside them (sinks encode those in another thread). */
const keepTextFrom = 64 * 1024;

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
  /** Per group: the resources of the last result, by 'typeUrl name'. */
  readonly #previous = new Map<string, Map<string, XdsResource>>();
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
  /** The worker's heap after the last compile: in use, capacity, off-heap. */
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
            this.lastHeapUsedBytes = message.heapUsedBytes;
            this.lastHeapTotalBytes = message.heapTotalBytes;
            this.lastExternalBytes = message.externalBytes;
            this.#waiting.get(message.id)?.resolve(message.groups);
            this.#waiting.delete(message.id);
            return;
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
        for (const w of this.#waiting.values()) w.reject(e);
        this.#waiting.clear();
      });
      this.#worker.on('exit', (code) => {
        const e = new Error(`the compile worker exited with code ${code}`);
        this.#broken ??= e;
        reject(e);
        for (const w of this.#waiting.values()) w.reject(e);
        this.#waiting.clear();
      });
    });
    // A rejection nobody awaited yet must not crash the process; compile() reports it.
    this.#ready.catch(() => {});
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
      return await this.#decode(await answer, slicer);
    } catch (e) {
      if (!(e instanceof CompileThrewError)) {
        // Out of step with the worker: the next compile sends and receives everything in full.
        this.#resend = true;
        this.#previous.clear();
        this.#workerHolds.clear();
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #post(message: ToCompileWorker): void {
    this.#worker.postMessage(message);
  }

  async #decode(wire: WireGroupResult[], slicer: EventLoopSlicer): Promise<GroupResults> {
    const out: GroupResults = new Map();
    for (const { group, diagnostics, resources } of wire) {
      const before = this.#previous.get(group) ?? new Map<string, XdsResource>();
      const after = new Map<string, XdsResource>();
      const xds = emptyXdsResources();
      for (const r of resources) {
        const key = `${r.typeUrl} ${r.name}`;
        const kept = before.get(key);
        if ((r.json === undefined && kept?.version !== r.version) || (!r.provenance && !kept)) {
          throw new Error(`compile worker: no earlier copy of ${key}`);
        }
        const emitted: XdsResource = {
          typeUrl: r.typeUrl,
          name: r.name,
          version: r.version,
          resource: r.json !== undefined ? (JSON.parse(r.json) as Record<string, unknown>) : kept!.resource,
          provenance: r.provenance ?? kept!.provenance,
        };
        if (r.byNameOnly) emitted.byNameOnly = true;
        const text = r.json ?? kept?.text;
        if (text !== undefined && text.length >= keepTextFrom) emitted.text = text;
        xds[r.typeUrl].push(emitted);
        after.set(key, emitted);
        await slicer.maybeYield();
      }
      this.#previous.set(group, after);
      out.set(group, { xds, diagnostics });
    }
    return out;
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
