import { describe, expect, it } from 'vitest';
import { type ChunkedList, chunkEnds, chunkedFrom } from './chunk-ends.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('chunkedFrom', () => {
  it('gives chunkEnds and a digest per chunk, from the last list, over random edits', () => {
    const random = lcg(21);
    const int = (n: number) => Math.floor(random() * n);
    let serial = 0;
    // Named items (boundaries where a name hashes so), some without a name (runs cut at 128).
    const item = (): unknown => (random() < 0.1 ? { unnamed: serial++ } : { name: `item-${serial++}` });
    const ids = new Map<unknown, number>();
    const id = (x: unknown) => {
      if (!ids.has(x)) ids.set(x, ids.size);
      return ids.get(x)!;
    };
    let digested = 0;
    const digestOf = (items: readonly unknown[]) => (start: number, end: number) => {
      digested++;
      return items.slice(start, end).map(id).join(',');
    };
    const fresh = (items: readonly unknown[]): ChunkedList => {
      const ends = chunkEnds(items);
      let start = 0;
      const digests = ends.map((end) => {
        const d = items.slice(start, end).map(id).join(',');
        start = end;
        return d;
      });
      return { items, ends, digests };
    };
    let list: unknown[] = Array.from({ length: 2000 }, item);
    let last = chunkedFrom(list, undefined, digestOf(list));
    let small = 0;
    for (let step = 0; step < 800; step++) {
      const next = list.slice();
      const at = int(next.length + 1);
      const kind = int(10);
      if (kind === 0) next.splice(at, 0, item());
      else if (kind === 1) next.splice(at, 1);
      else if (kind === 2 && next.length > 0) next[Math.min(at, next.length - 1)] = item();
      else if (kind === 3) next.splice(at, int(300), ...Array.from({ length: int(300) }, item));
      else if (kind === 4) next.push(item());
      else if (kind === 5) next.unshift(item());
      else if (kind === 6 && random() < 0.1) next.length = int(next.length + 1);
      else if (kind === 7) next.splice(at, 0, ...Array.from({ length: 200 }, () => ({ unnamed: serial++ })));
      else if (kind === 8 && next.length > 0) next.splice(at, 0, next[int(next.length)]);
      // (kind 9: the same items in a new array.)
      const before = digested;
      const got = chunkedFrom(next, last, digestOf(next));
      const want = fresh(next);
      expect(got.ends, `step ${step}`).toEqual(want.ends);
      expect(got.digests, `step ${step}`).toEqual(want.digests);
      // One item replaced in a long list: the chunks around it digested (a few where a run without
      // names is cut by count until boundaries meet again), not the ~60 of the list.
      if (kind === 2 && next.length > 1000) {
        expect(digested - before).toBeLessThanOrEqual(8);
        small++;
      }
      list = next;
      last = got;
      if (list.length < 500) list = [...list, ...Array.from({ length: 1500 }, item)];
    }
    expect(small).toBeGreaterThan(40);
  });
});
