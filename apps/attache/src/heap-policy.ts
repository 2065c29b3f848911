import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Pipeline } from '@attache/core';

/**
 * How a one-shot `attache compile` keeps its peak memory down (tools/bench/README.md, "Session 8:
 * the CLI"). V8 grows its young generation by doubling each semi-space while most young objects
 * survive, and compiling is mostly objects that survive: at 10,000 Mappings the semi-spaces have
 * reached 8 MiB when the inputs are read and double again to 16 MiB in the first milliseconds of
 * compile(), 16 MiB more resident memory that buys no CPU (the same CPU either way, measured).
 * The passes before lowering leave garbage in the old generation, which V8 collects only when
 * more has been added to it; lowering's output and garbage come on top, and the peak of a run
 * is reached while lowering, so a full collection runs before it. Printing keeps nothing it
 * wrote on V8's heap (the text of a shared route list is kept in Buffers, print-document.ts), so
 * the old generation does not grow while it prints and needs no collection before it (Session 9
 * in tools/bench/README.md; Session 8 collected there too).
 * Since the collector works on the main thread (collectOnMainThread), the collection before
 * lowering pays for itself in CPU rather than memory: without it, peak RSS at 10,000 Mappings
 * read the same (136 against 137 MiB) but whole-process CPU 1.052 times as much (14 pairs,
 * session 12); one more after reading the inputs bought nothing (1.012). Since session 13 a
 * compile keeps less (the heap before lowering at 10 × 10,000 is 42 MiB, was 48.5), so at that
 * size the threshold is not reached and no collection runs; forcing one at 32 MiB cost CPU
 * (1.051, 20 pairs, peak RSS 129 against 135 MiB), so the threshold stays.
 */

/** The V8 flags this module changed, each with the argument that puts back its value before (V8's default). */
const changed = new Map<string, string>();

const mib = 1024 * 1024;

/**
 * Stops the young generation growing once its semi-spaces have reached 8 MiB (16 MiB committed
 * in all): called when the inputs are read, before compiling. A smaller young generation does
 * nothing (1,000 Mappings: 4 MiB then), so small runs keep V8's default growth. Returns whether
 * it stopped it.
 */
export function stopYoungGenerationGrowth(
  atLeastBytes = 16 * mib,
  nodeOptions = process.execArgv.join(' '),
): boolean {
  // A growth factor given to node (NODE_OPTIONS cannot carry one) is left alone: it could not be
  // put back, since V8's flags cannot be read.
  if (/semi[-_]space[-_]growth[-_]factor/.test(nodeOptions)) return false;
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!young || young.space_size < atLeastBytes) return false;
  setV8Flag('semi-space-growth-factor', '--semi-space-growth-factor=1', '--semi-space-growth-factor=2');
  // V8 decides to allocate objects of an allocation site in the old generation only while the
  // young generation is at its maximum size, which a stopped one never reaches: the feedback each
  // scavenge gathers for that decision (a hash map of sites per scavenge) is then work for
  // nothing. Without it, one compile at 10 x 10,000 runs ~40 M instructions fewer
  // (PretenuringHandler::UpdateAllocationSite and its map, cachegrind, session 14).
  // (Left as given to node, if it was: it could not be put back either.)
  if (!/allocation[-_]site[-_]pretenuring/.test(nodeOptions))
    setV8Flag(
      'allocation-site-pretenuring',
      '--no-allocation-site-pretenuring',
      '--allocation-site-pretenuring',
    );
  return true;
}

/**
 * The garbage collector's work that V8 hands to helper threads by default, done on the main thread
 * instead, for a one-shot compile: scavenges without parallel tasks, old-generation pages swept as
 * the main thread needs them (not by concurrent sweeper tasks), and a mark-compact's evacuation and
 * pointer updates on the main thread. On a machine with few cores the helper threads do not shorten
 * the run: their start, stealing and synchronisation cost CPU that the whole-process figure counts
 * (a compile at 10,000 Mappings scavenges ~40 times, about half of each 8 MiB surviving). Whole-process CPU at
 * 10,000 Mappings against the same build without them: median pair ratio 0.935 (16 pairs) and 0.981
 * (10), 0.952 in the lead's 8 (session 12); the helper threads' CPU ~250 -> ~135 ms. Concurrent and
 * parallel marking stay on: V8 cannot have them switched off once it runs (a cppgc check aborts the
 * process), and node's `--single-threaded-gc`, which also stops them, is read only at start. These
 * four do not enter V8's code-cache flag hash, but restoreV8Flags() puts them back all the same. Flags
 * given on node's command line are left as given.
 */
export const mainThreadCollectionFlags = [
  'parallel-scavenge',
  'concurrent-sweeping',
  'parallel-compaction',
  'parallel-pointer-update',
] as const;

/** Sets every one of mainThreadCollectionFlags off, except those given to node. */
export function collectOnMainThread(nodeOptions = process.execArgv.join(' ')): void {
  if (/single[-_]threaded/.test(nodeOptions)) return;
  for (const flag of mainThreadCollectionFlags) {
    if (nodeOptions.includes(flag) || nodeOptions.includes(flag.replaceAll('-', '_'))) continue;
    setV8Flag(flag, `--no-${flag}`, `--${flag}`);
  }
}

/**
 * A full garbage collection now, when the heap holds more than `aboveBytes` (10 × 10,000
 * Mappings: 42 MiB before lowering since session 13, left alone; larger inputs collect). Returns
 * whether it collected.
 */
export function collectGarbageIfLarge(aboveBytes = 48 * mib): boolean {
  if (getHeapStatistics().used_heap_size <= aboveBytes) return false;
  garbageCollector()();
  return true;
}

/**
 * The pipeline with collectGarbageIfLarge() run before its first lowering pass. With
 * `stopYoungGrowth` (a large input whose young generation had not reached 8 MiB semi-spaces when
 * it was read), stopYoungGenerationGrowth() also runs before each pass until it stops the growth:
 * how large the young generation is when the inputs are read depends on what the start allocated
 * (an experiment that allocated 1.8 MB less at the start left 10,000 Mappings at 4 MiB semi-spaces
 * then). With only the check at reading, such a run grows them to 16 MiB in compile() and peaks at
 * 151-152 MiB of RSS; checked before each pass, at 133-138 MiB (3 runs each, session 10).
 */
export function collectingBeforeLowering(
  pipeline: Pipeline,
  {
    stopYoungGrowth = false,
    youngAtLeastBytes,
  }: { stopYoungGrowth?: boolean; youngAtLeastBytes?: number } = {},
): Pipeline {
  const first = pipeline.passes.findIndex((p) => p.phase === 'lower');
  if (first === -1 && !stopYoungGrowth) return pipeline;
  let stopped = !stopYoungGrowth;
  const passes = pipeline.passes.map((pass, i) => {
    if (i !== first && stopped) return pass;
    return {
      ...pass,
      run(ctx: Parameters<typeof pass.run>[0]) {
        if (!stopped) stopped = stopYoungGenerationGrowth(youngAtLeastBytes);
        if (i === first) collectGarbageIfLarge();
        pass.run(ctx);
      },
    };
  });
  return { ...pipeline, passes };
}

/**
 * Inputs of at least this many resources stop their young generation at 8 MiB semi-spaces when it
 * gets there, not only when it is there as they are read (collectingBeforeLowering): 10,000
 * Mappings have 10,023; 1,000 Mappings (1,023) keep V8's default growth, as before.
 */
export const largeInputResources = 5000;

/**
 * Puts back every V8 flag changed here. V8 keys its code cache to a hash of the flags (a cache
 * made under other flags is rejected), so this runs before the CLI writes its code cache: a
 * cache written with a flag changed mid-run would be rejected by every later run, which would
 * then compile the bundle from source and write the cache again (costing ~10 % more CPU each
 * run).
 */
export function restoreV8Flags(): void {
  for (const previous of changed.values()) setFlagsFromString(previous);
  changed.clear();
}

/** The arguments restoreV8Flags() would give V8 now (for tests). */
export function changedV8Flags(): string[] {
  return [...changed.values()];
}

/** Sets `flag` by the argument `set`; `previous` is the argument that puts back its value now. */
function setV8Flag(flag: string, set: string, previous: string): void {
  if (!changed.has(flag)) changed.set(flag, previous);
  setFlagsFromString(set);
}

let gc: (() => void) | undefined;

/**
 * V8's `gc()`, made without starting node with --expose-gc: the flag makes every new context
 * have it (a new context costs ~1 ms). The flag is put back at once, so the code cache's flag
 * hash stays the same.
 */
function garbageCollector(): () => void {
  if (gc) return gc;
  if (typeof globalThis.gc === 'function') {
    gc = globalThis.gc as () => void;
    return gc;
  }
  setFlagsFromString('--expose-gc');
  try {
    gc = runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return gc;
}
