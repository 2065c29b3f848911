import { type CompileResult, type CompileSession, compile } from './compile.js';
import { KeptInputOrder } from './incremental-inputs.js';
import { KeptAdmission } from './kept-admission.js';
import { PassMemoStore } from './pass-memo.js';
import { createPipeline, isPipeline, type Pipeline, type PluginUse } from './pipeline.js';
import type { CompileOptions, Plugin } from './plugin.js';
import type { StoredResource } from './resource.js';

/** What the last compile of an incremental compiler reused. */
export interface IncrementalStats {
  /** Same inputs (object for object) and options as the compile before: its result was returned as is. */
  unchanged: boolean;
  /** Per-resource results passes took from their memo, and those they computed. */
  memoHits: number;
  memoMisses: number;
  /** The admitted inputs were the last compile's, patched where the input list changed (false: admitted in full). */
  inputsPatched: boolean;
}

/**
 * A compiler that remembers: the same result as `compile()` for the same
 * inputs, byte for byte (tests/differential checks it over random edit
 * sequences), at a lower cost when most inputs are the objects it saw last time.
 *
 * - Nothing changed (every StoredResource the same object, same options): the
 *   previous result is returned.
 * - Otherwise every pass runs, and passes that use `ctx.memo` reuse what they
 *   computed for the inputs that did not change. Passes that do not use it
 *   (global ones: the Module, Listeners, Hosts; any plugin that does not opt in)
 *   simply recompute: the full path.
 *
 * It relies on what stores do: a resource that did not change keeps its object.
 * Results are shared with the previous compile's: do not mutate them.
 */
export interface IncrementalCompiler {
  compile(resources: readonly StoredResource[], options?: CompileOptions): CompileResult;
  readonly stats: IncrementalStats;
  readonly pipeline: Pipeline;
}

export function createIncrementalCompiler(
  plugins: Pipeline | readonly (PluginUse | Plugin)[],
): IncrementalCompiler {
  const pipeline = isPipeline(plugins) ? plugins : createPipeline(plugins);
  const stores = new Map<string, PassMemoStore>();
  const inputOrder = new KeptInputOrder();
  const admission = new KeptAdmission(inputOrder);
  const session: CompileSession = {
    inputOrder,
    admission,
    sortedEmits: new Map(),
    memo(passId) {
      let store = stores.get(passId);
      if (!store) {
        store = new PassMemoStore(() => {});
        stores.set(passId, store);
      }
      return store;
    },
  };
  let last: { resources: StoredResource[]; options: string; result: CompileResult } | undefined;
  const stats: IncrementalStats = { unchanged: false, memoHits: 0, memoMisses: 0, inputsPatched: false };

  return {
    pipeline,
    stats,
    compile(resources, options = {}) {
      const optionsKey = JSON.stringify(options);
      if (last && last.options === optionsKey && sameInputs(last.resources, resources)) {
        stats.unchanged = true;
        stats.inputsPatched = false;
        stats.memoHits = 0;
        stats.memoMisses = 0;
        return last.result;
      }
      // The compiler's own copy: kept as the last inputs here and by the session's admission.
      const given = resources.slice();
      const result = compile(given, pipeline, options, session);
      stats.unchanged = false;
      stats.inputsPatched = admission.patched;
      stats.memoHits = 0;
      stats.memoMisses = 0;
      for (const store of stores.values()) {
        stats.memoHits += store.hits;
        stats.memoMisses += store.misses;
      }
      last = { resources: given, options: optionsKey, result };
      return result;
    },
  };
}

function sameInputs(before: readonly StoredResource[], now: readonly StoredResource[]): boolean {
  if (before.length !== now.length) return false;
  for (let i = 0; i < now.length; i++) if (before[i] !== now[i]) return false;
  return true;
}
