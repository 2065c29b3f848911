import {
  compareDiagnostics,
  type compile,
  createIncrementalCompiler,
  type Diagnostic,
  formatRef,
  type IncrementalCompiler,
  type Logger,
  type Pipeline,
  type Sink,
  type Snapshot,
  type Source,
  type StoredResource,
  type StoreView,
} from '@attache/core';
import type { CompileWorkerInit } from './compile-protocol.js';
import { createDebouncer, type DebounceOptions, type Debouncer, defaultDebounce } from './debounce.js';
import { FeedbackRouter } from './feedback-router.js';
import { LastGoodResources } from './last-good.js';
import { type TimedPipeline, timePasses } from './pass-timing.js';
import { buildSnapshot } from './snapshot-builder.js';
import { buildStatusReport } from './status-report.js';
import { ResourceStore } from './store.js';
import { CompileThrewError, compileWorkerAvailable, WorkerCompiler } from './worker-compiler.js';

export interface RuntimeOptions {
  pipeline: Pipeline;
  /** Validated config per source type (keys of `sources:`). */
  sources: ReadonlyMap<string, unknown>;
  /** Validated config per sink type (keys of `sinks:`). */
  sinks: ReadonlyMap<string, unknown>;
  /** One node group per ambassador_id; each gets its own snapshot. */
  groups?: readonly string[];
  debounce?: DebounceOptions;
  logger: Logger;
  baseDir: string;
  /** The compiler; replaceable so tests can make it throw. */
  compiler?: typeof compile;
  /**
   * A resource that was valid and turns invalid keeps serving its last good
   * version (with a RESOURCE_LAST_GOOD error) instead of disappearing. Default true.
   */
  keepLastGood?: boolean;
  /** The clock behind "invalid since"; tests pin it. */
  now?: () => Date;
  /**
   * Compile in a worker thread that rebuilds the same pipeline from this
   * module (see compile-protocol.ts), so the event loop stays free for the
   * admin server and xDS during a compile. Without it (plugins given as
   * in-memory objects, a `compiler` override), compiles run in this thread.
   */
  compileWorker?: CompileWorkerInit;
}

export interface CycleResult {
  /** Snapshots that changed and were handed to the sinks in this cycle. */
  published: Snapshot[];
  snapshots: ReadonlyMap<string, Snapshot>;
  /** When the cycle read the store (epoch ms): source writes before it are in this result. */
  startedAt: number;
  /** Compile time of the cycle (every group; in the worker when there is one). */
  compileMs: number;
  /** Compile time per pass id (every group). */
  passMs: Record<string, number>;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Runs sources → store → compile → snapshot → sinks. Compile stays pure;
 * everything with a clock or a socket lives here or in the plugins' sources
 * and sinks.
 */
export class Runtime {
  readonly store = new ResourceStore();
  readonly feedback: FeedbackRouter;
  readonly #options: RuntimeOptions;
  readonly #logger: Logger;
  readonly #groups: readonly string[];
  readonly #debouncer: Debouncer;
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #published = new Map<string, Snapshot>();
  readonly #lastGood = new Map<string, LastGoodResources>();
  readonly #incremental = new Map<string, IncrementalCompiler>();
  #worker: WorkerCompiler | undefined;
  readonly #cycleListeners = new Set<(result: CycleResult) => void>();
  #sources: Array<{ type: string; source: Source }> = [];
  #sinks: Array<{ type: string; sink: Sink }> = [];
  #state: State = 'new';
  #cycle: Promise<void> = Promise.resolve();
  #lastCompiledChange = -1;
  #loggedDiagnostics = new Set<string>();
  readonly #timed: TimedPipeline;

  constructor(options: RuntimeOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#groups = options.groups?.length ? [...new Set(options.groups)] : ['default'];
    this.#timed = timePasses(options.pipeline);
    this.#debouncer = createDebouncer(options.debounce ?? defaultDebounce, () => {
      this.#enqueueCycle();
    });
    this.feedback = new FeedbackRouter(
      (group) => this.#published.get(group),
      () => {
        // A NACK is a diagnostic like any other: logged with its code and resource when it appears.
        if (this.#state === 'running') this.#logNewDiagnostics();
        this.#fanOutStatus();
      },
    );
    this.store.onChange(() => {
      if (this.#state === 'running' || this.#state === 'starting') this.#debouncer.trigger();
    });
  }

  get state(): State {
    return this.#state;
  }

  /** Starts sinks first (so the ADS port is open before Envoy is told about it), then sources. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`runtime cannot start from state '${this.#state}'`);
    this.#state = 'starting';
    const { pipeline } = this.#options;
    this.#startWorker();
    try {
      for (const [type, config] of this.#options.sinks) {
        const factory = pipeline.sinks.get(type);
        if (!factory) throw new Error(`no sink of type '${type}' is registered`);
        const sink = factory.create({
          config,
          logger: this.#logger.child({ sink: type }),
          feedback: this.feedback,
          baseDir: this.#options.baseDir,
        });
        await sink.start();
        this.#sinks.push({ type, sink });
      }
      for (const [type, config] of this.#options.sources) {
        const factory = pipeline.sources.get(type);
        if (!factory) throw new Error(`no source of type '${type}' is registered`);
        const store = this.store.writerFor(type, factory.plugin);
        const source = factory.create({
          config,
          logger: this.#logger.child({ source: type }),
          store,
          baseDir: this.#options.baseDir,
          inputs: this.#storeView,
        });
        this.#sources.push({ type, source });
      }
      await Promise.all(this.#sources.map(({ source }) => source.start()));
    } catch (e) {
      this.#state = 'running';
      await this.stop();
      throw e;
    }
    this.#state = 'running';
    this.#logger.info(
      {
        sources: this.#sources.map((s) => s.type),
        sinks: this.#sinks.map((s) => s.type),
        groups: this.#groups,
      },
      'runtime started',
    );
    // With no source, or sources that synced during start(), the first compile is due now.
    this.#debouncer.trigger();
  }

  /** Stops sources, publishes what is pending, then stops sinks. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped' || this.#state === 'new') {
      this.#state = this.#state === 'new' ? 'stopped' : this.#state;
      await this.#cycle;
      return;
    }
    this.#state = 'stopping';
    await settleAll(
      this.#sources.map(
        ({ source }) =>
          () =>
            source.stop(),
      ),
      (e) => this.#logger.error({ err: e }, 'source failed to stop'),
    );
    this.#debouncer.flush();
    await this.#cycle;
    this.#debouncer.cancel();
    await this.#worker?.close();
    this.#worker = undefined;
    await settleAll(
      this.#sinks.map(
        ({ sink }) =>
          () =>
            sink.stop(),
      ),
      (e) => this.#logger.error({ err: e }, 'sink failed to stop'),
    );
    this.#state = 'stopped';
    this.#logger.info('runtime stopped');
  }

  /** What sources may read of the store (source-consul watches the services Mappings name). */
  readonly #storeView: StoreView = {
    resources: () => this.store.contents().resources,
    onChange: (listener) => this.store.onChange(() => listener()),
  };

  /** A running sink by type, for apps that expose its extras (the ADS sink's streams and metrics). */
  sink(type: string): Sink | undefined {
    return this.#sinks.find((s) => s.type === type)?.sink;
  }

  /** A running source by type, for apps that expose its extras (the Kubernetes source's leadership). */
  source(type: string): Source | undefined {
    return this.#sources.find((s) => s.type === type)?.source;
  }

  /** The compile worker, while compiles run in one (figures for the bench and logs). */
  get compileWorker(): WorkerCompiler | undefined {
    return this.#worker;
  }

  /** Latest compiled snapshot of a group (published or unchanged). */
  snapshot(group = 'default'): Snapshot | undefined {
    return this.#snapshots.get(group);
  }

  get groups(): readonly string[] {
    return this.#groups;
  }

  /** Every current diagnostic: sources', compilers' (all groups) and delivery feedback. */
  diagnostics(): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    const all = [...this.#snapshots.values()].flatMap((s) => s.diagnostics);
    for (const d of [...all, ...this.feedback.diagnostics()]) {
      const key = JSON.stringify([d.code, d.resource, d.path, d.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
    return out.sort(compareDiagnostics);
  }

  /** Called after every compile cycle (tests and the admin UI listen here). */
  onCycle(listener: (result: CycleResult) => void): () => void {
    this.#cycleListeners.add(listener);
    return () => this.#cycleListeners.delete(listener);
  }

  /** Compiles now instead of waiting for the debounce; resolves once published. */
  async flush(): Promise<void> {
    this.#debouncer.cancel();
    this.#enqueueCycle();
    await this.#cycle;
  }

  #enqueueCycle(): void {
    // Cycles run one after another: a sink never sees serial n+1 before n.
    this.#cycle = this.#cycle
      .then(() => this.#runCycle())
      .catch((e) => {
        this.#logger.error({ err: e }, 'compile cycle failed');
      });
  }

  async #runCycle(): Promise<void> {
    if (!this.store.allSynced) {
      this.#logger.debug(
        { waitingFor: this.store.pendingSources() },
        'not publishing before every source synced',
      );
      return;
    }
    const startedAt = Date.now();
    const contents = this.store.contents();
    if (contents.changes === this.#lastCompiledChange && this.#snapshots.size > 0) return;
    this.#lastCompiledChange = contents.changes;
    const published: Snapshot[] = [];
    let mainThreadCompileMs = 0;
    this.#timed.take();
    const fromWorker = await this.#compileInWorker(contents.resources);
    if (fromWorker === 'threw') return;
    for (const group of this.#groups) {
      const previous = this.#snapshots.get(group);
      let snapshot: Snapshot;
      try {
        // The cycle's wall-clock time, for time-dependent checks (certificate expiry); passes stay pure.
        const now = (this.#options.now?.() ?? new Date()).getTime();
        const compileOnce = (resources: readonly StoredResource[]) =>
          this.#options.compiler
            ? this.#options.compiler(resources, this.#timed.pipeline, { ambassadorId: group, now })
            : this.#incrementalOf(group).compile(resources, { ambassadorId: group, now });
        const compileStarted = performance.now();
        const result =
          fromWorker?.get(group) ??
          (this.#options.keepLastGood === false
            ? compileOnce(contents.resources)
            : this.#lastGoodOf(group).compile(contents.resources, compileOnce));
        if (!fromWorker) mainThreadCompileMs += performance.now() - compileStarted;
        snapshot = buildSnapshot(group, result, contents.diagnostics, previous);
      } catch (e) {
        // compile() throws only for plugin bugs; Envoy keeps the last good snapshot.
        this.#logger.error({ err: e, group }, 'compile threw; keeping the last good snapshot');
        continue;
      }
      this.#snapshots.set(group, snapshot);
      if (previous && previous.version === snapshot.version) continue;
      published.push(snapshot);
      this.#published.set(group, snapshot);
      await settleAll(
        this.#sinks.map(
          ({ sink }) =>
            () =>
              sink.publish(snapshot),
        ),
        (e) => this.#logger.error({ err: e, group, serial: snapshot.serial }, 'sink failed to publish'),
      );
      const errors = snapshot.diagnostics.filter((d) => d.severity === 'error').length;
      this.#logger.info(
        {
          group,
          serial: snapshot.serial,
          version: snapshot.version,
          errors,
          diagnostics: snapshot.diagnostics.length,
        },
        'published snapshot',
      );
    }
    this.#logNewDiagnostics();
    this.#fanOutStatus();
    const worker = fromWorker ? this.#worker : undefined;
    const result: CycleResult = {
      published,
      snapshots: new Map(this.#snapshots),
      startedAt,
      compileMs: worker ? worker.lastCompileMs : mainThreadCompileMs,
      passMs: worker ? worker.lastPassMs : this.#timed.take(),
    };
    for (const listener of this.#cycleListeners) listener(result);
  }

  #startWorker(): void {
    const init = this.#options.compileWorker;
    if (!init || this.#options.compiler) return;
    if (!compileWorkerAvailable()) {
      this.#logger.warn('the compile worker script is not built; compiling in the main thread');
      return;
    }
    const worker = new WorkerCompiler(init, this.#options.pipeline);
    this.#worker = worker;
    worker.ready().then(
      () => this.#logger.debug('compile worker ready'),
      (e) => this.#dropWorker(e, 'the compile worker did not start; compiling in the main thread'),
    );
  }

  #dropWorker(e: unknown, message: string): void {
    if (!this.#worker) return;
    this.#logger.error({ err: e }, message);
    void this.#worker.close();
    this.#worker = undefined;
  }

  /** Every group's result from the worker; undefined when there is none (or it failed: then this thread compiles). */
  async #compileInWorker(resources: readonly StoredResource[]) {
    const worker = this.#worker;
    if (!worker) return undefined;
    try {
      return await worker.compile(resources, this.#groups, {
        keepLastGood: this.#options.keepLastGood !== false,
        now: this.#options.now?.() ?? new Date(),
      });
    } catch (e) {
      if (e instanceof CompileThrewError) {
        // compile() throws only for plugin bugs; Envoy keeps the last good snapshot.
        this.#logger.error({ err: e }, 'compile threw; keeping the last good snapshot');
        return 'threw' as const;
      }
      this.#dropWorker(e, 'the compile worker failed; compiling in the main thread from now on');
      return undefined;
    }
  }

  /** The group's incremental compiler: what it computed for unchanged inputs is reused. */
  #incrementalOf(group: string): IncrementalCompiler {
    let compiler = this.#incremental.get(group);
    if (!compiler) {
      compiler = createIncrementalCompiler(this.#timed.pipeline);
      this.#incremental.set(group, compiler);
    }
    return compiler;
  }

  #lastGoodOf(group: string): LastGoodResources {
    let memory = this.#lastGood.get(group);
    if (!memory) {
      memory = new LastGoodResources(this.#options.now);
      this.#lastGood.set(group, memory);
    }
    return memory;
  }

  /** Operators read logs: each problem is logged once when it appears, not on every recompile. */
  #logNewDiagnostics(): void {
    const current = new Set<string>();
    for (const d of this.diagnostics()) {
      const key = JSON.stringify([d.code, d.resource, d.path, d.message]);
      current.add(key);
      if (this.#loggedDiagnostics.has(key) || d.severity === 'info') continue;
      const fields = {
        code: d.code,
        ...(d.resource ? { resource: formatRef(d.resource) } : {}),
        ...(d.resource?.source ? { at: d.resource.source } : {}),
        ...(d.path ? { path: d.path } : {}),
      };
      if (d.severity === 'error') this.#logger.error(fields, d.message);
      else this.#logger.warn(fields, d.message);
    }
    this.#loggedDiagnostics = current;
  }

  #fanOutStatus(): void {
    // Stopped sources must not be asked to write status (the Kubernetes source's client is closed by then).
    if (this.#state !== 'running') return;
    const withStatus = this.#sources.filter(({ source }) => typeof source.status === 'function');
    if (withStatus.length === 0) return;
    const report = buildStatusReport(this.store.contents().resources, this.diagnostics());
    for (const { type, source } of withStatus) {
      try {
        source.status!(report);
      } catch (e) {
        this.#logger.error({ err: e, source: type }, 'source failed to take status');
      }
    }
  }
}

/** Runs every step, even when one throws synchronously; reports the failures without stopping the others. */
async function settleAll(
  work: Array<() => Promise<void> | void>,
  onError: (e: unknown) => void,
): Promise<void> {
  const results = await Promise.allSettled(work.map(async (step) => step()));
  for (const r of results) if (r.status === 'rejected') onError(r.reason);
}
