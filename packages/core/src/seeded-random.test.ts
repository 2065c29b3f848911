import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('gives mulberry32: the same sequence for a seed, another for another seed, always in [0, 1)', () => {
    const a = seededRandom(15);
    // mulberry32(15)'s first values, as every randomized test of the repository has replayed them.
    expect([a(), a(), a()].map((x) => x.toFixed(9))).toEqual(['0.237840026', '0.404124717', '0.402795133']);
    const b = seededRandom(16);
    expect(b()).not.toBe(seededRandom(15)());
    const c = seededRandom(1);
    for (let i = 0; i < 10_000; i++) {
      const x = c();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
