import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { Script } from 'node:vm';
import type { Pipeline } from '@attache/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  changedV8Flags,
  collectGarbageIfLarge,
  collectingBeforeLowering,
  collectOnMainThread,
  mainThreadCollectionFlags,
  restoreV8Flags,
  stopYoungGenerationGrowth,
} from './heap-policy.js';

afterEach(() => restoreV8Flags());

/** A scheduled pass of plugin 'p' that only runs `run`. */
function fakePass(id: string, phase: string, run: () => unknown) {
  return { id, phase, plugin: 'p', reads: [], writes: [], config: { id }, run };
}

/**
 * A script's V8 code cache, and whether V8 takes it now (only under the same flags). Each check
 * compiles a copy of the same length that differs in a comment: V8 checks a cache against the
 * source's length only, and an identical source would come from V8's in-memory cache instead.
 */
function cacheOf(source: string): () => boolean {
  let copies = 0;
  const copy = () => `${source}\n//${String(copies++).padStart(6, '0')}`;
  const data = new Script(copy(), { filename: 'cached.js' }).createCachedData();
  return () => !new Script(copy(), { filename: 'cached.js', cachedData: data }).cachedDataRejected;
}

const source = `${Array.from({ length: 20 }, (_, i) => `function f${i}(x) { return x * ${i}; }`).join('\n')}\nf3(2);`;

describe('heap policy', () => {
  it('leaves a young generation under the size alone, and stops one at it', () => {
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!;
    const accepted = cacheOf(source);
    expect(stopYoungGenerationGrowth(young.space_size + 1)).toBe(false);
    // A growth factor given to node is left as it is (it could not be put back).
    expect(stopYoungGenerationGrowth(0, '--semi-space-growth-factor=4')).toBe(false);
    expect(stopYoungGenerationGrowth(0, '--max-old-space-size=100 --semi_space_growth_factor=3')).toBe(false);
    // Nothing changed: a code cache made before is still taken.
    expect(accepted()).toBe(true);
    expect(stopYoungGenerationGrowth(young.space_size)).toBe(true);
    // V8's flag hash changed with the flag: the cache made before is rejected…
    expect(accepted()).toBe(false);
    restoreV8Flags();
    // …and taken again once the flag is put back, so the CLI's next runs keep their code cache.
    expect(accepted()).toBe(true);
    // Stopped, it also leaves out pretenuring feedback, unless node was given that flag.
    expect(stopYoungGenerationGrowth(young.space_size)).toBe(true);
    expect(changedV8Flags()).toEqual(['--semi-space-growth-factor=2', '--allocation-site-pretenuring']);
    restoreV8Flags();
    expect(stopYoungGenerationGrowth(young.space_size, '--no-allocation-site-pretenuring')).toBe(true);
    expect(changedV8Flags()).toEqual(['--semi-space-growth-factor=2']);
    restoreV8Flags();
    expect(accepted()).toBe(true);
  });

  it('collects only above the size, and leaves the flags as they were', () => {
    const accepted = cacheOf(source);
    expect(collectGarbageIfLarge(Number.MAX_SAFE_INTEGER)).toBe(false);
    // Garbage the size of what compile() leaves, held by nothing once made.
    let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    garbage = undefined;
    expect(garbage).toBeUndefined();
    const before = getHeapStatistics().used_heap_size;
    expect(collectGarbageIfLarge(0)).toBe(true);
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before);
    expect(accepted()).toBe(true);
  });

  it('puts its collection before the first lowering pass only, and runs every pass as before', () => {
    const ran: string[] = [];
    const pass = (id: string, phase: string) => fakePass(id, phase, () => ran.push(id));
    const passes = [pass('p.build', 'build'), pass('p.lower', 'lower'), pass('p.lower-more', 'lower')];
    const pipeline = { passes, codes: new Map() } as unknown as Pipeline;
    const wrapped = collectingBeforeLowering(pipeline);
    expect(wrapped.passes).toHaveLength(3);
    expect(wrapped.passes[0]).toBe(passes[0]);
    expect(wrapped.passes[2]).toBe(passes[2]);
    expect(wrapped.passes[1]).not.toBe(passes[1]);
    expect({ ...wrapped.passes[1], run: undefined }).toEqual({ ...passes[1], run: undefined });
    expect(wrapped.codes).toBe(pipeline.codes);
    for (const p of wrapped.passes) p.run({} as never);
    expect(ran).toEqual(['p.build', 'p.lower', 'p.lower-more']);
    // The pipeline given is left as it was; one without lowering is returned as it is.
    expect(pipeline.passes[1]).toBe(passes[1]);
    const unlowered = { passes: [passes[0]] } as unknown as Pipeline;
    expect(collectingBeforeLowering(unlowered)).toBe(unlowered);
  });

  it('with stopYoungGrowth, stops the young generation before the first pass that finds it at the size', () => {
    const accepted = cacheOf(source);
    const ran: string[] = [];
    // Whether the growth factor is V8's own while the pass runs (a code cache made before is taken).
    const pass = (id: string, phase: string) =>
      fakePass(id, phase, () => ran.push(`${id} ${accepted() ? 'growing' : 'stopped'}`));
    const passes = [pass('p.ingest', 'ingest'), pass('p.build', 'build'), pass('p.lower', 'lower')];
    const pipeline = { passes, codes: new Map() } as unknown as Pipeline;
    const run = (wrapped: Pipeline) => {
      ran.length = 0;
      for (const p of wrapped.passes) p.run({} as never);
      restoreV8Flags();
      return ran.slice();
    };
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!;
    // A young generation under the size is left growing through every pass…
    expect(
      run(
        collectingBeforeLowering(pipeline, {
          stopYoungGrowth: true,
          youngAtLeastBytes: young.space_size * 4,
        }),
      ),
    ).toEqual(['p.ingest growing', 'p.build growing', 'p.lower growing']);
    // …one at it is stopped before the first pass, and stays stopped.
    expect(run(collectingBeforeLowering(pipeline, { stopYoungGrowth: true, youngAtLeastBytes: 0 }))).toEqual([
      'p.ingest stopped',
      'p.build stopped',
      'p.lower stopped',
    ]);
    // Without stopYoungGrowth only the lowering pass is wrapped, and the flags stay V8's.
    const plain = collectingBeforeLowering(pipeline, { youngAtLeastBytes: 0 });
    expect(plain.passes[0]).toBe(passes[0]);
    expect(plain.passes[1]).toBe(passes[1]);
    expect(run(plain)).toEqual(['p.ingest growing', 'p.build growing', 'p.lower growing']);
    expect(accepted()).toBe(true);
  });

  it('collects on the main thread until the flags are put back, and leaves flags given to node alone', () => {
    const accepted = cacheOf(source);
    collectOnMainThread('');
    expect(changedV8Flags()).toEqual(mainThreadCollectionFlags.map((flag) => `--${flag}`));
    // V8 collects young and old garbage under them (scavenges, a full collection with compaction).
    let garbage: unknown[] | undefined = Array.from({ length: 300_000 }, (_, i) => ({ i, s: `y${i}` }));
    garbage = undefined;
    expect(garbage).toBeUndefined();
    expect(collectGarbageIfLarge(0)).toBe(true);
    restoreV8Flags();
    expect(changedV8Flags()).toEqual([]);
    expect(accepted()).toBe(true);
    // Set on node's command line (either spelling), or all of them by --single-threaded(-gc): left as given.
    collectOnMainThread('--no-parallel-scavenge --concurrent_sweeping');
    expect(changedV8Flags()).toEqual(['--parallel-compaction', '--parallel-pointer-update']);
    restoreV8Flags();
    collectOnMainThread('--max-old-space-size=200 --single-threaded-gc');
    expect(changedV8Flags()).toEqual([]);
    collectOnMainThread('--single_threaded');
    expect(changedV8Flags()).toEqual([]);
  });
});
