import { describe, expect, it } from 'vitest';
import { listChange } from './list-change.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('listChange', () => {
  it('finds an edit, an addition and a removal at the start, middle and end', () => {
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }));
    const list = [a!, b!, c!, d!];
    expect(listChange(list, list)).toEqual({ added: [], removed: [] });
    expect(listChange(list, [a!, b!, e!, c!, d!])).toEqual({ added: [e], removed: [] });
    expect(listChange(list, [a!, c!, d!])).toEqual({ added: [], removed: [b] });
    expect(listChange(list, [e!, b!, c!, d!])).toEqual({ added: [e], removed: [a] });
    expect(listChange(list, [a!, b!, c!, e!])).toEqual({ added: [e], removed: [d] });
    expect(listChange([], list)).toEqual({ added: list, removed: [] });
    expect(listChange(list, [])).toEqual({ added: [], removed: list });
  });

  it('agrees with set difference on random sorted lists', () => {
    const random = lcg(15);
    const pool = Array.from({ length: 60 }, (_, i) => ({ i }));
    for (let round = 0; round < 300; round++) {
      const before = pool.filter(() => random() < 0.6);
      const now = before.filter(() => random() < 0.95);
      for (const x of pool) if (!before.includes(x) && random() < 0.05) now.push(x);
      now.sort((x, y) => x.i - y.i);
      const { added, removed } = listChange(before, now);
      expect(added).toEqual(now.filter((x) => !before.includes(x)));
      expect(removed).toEqual(before.filter((x) => !now.includes(x)));
    }
  });
});
