import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';
import { sharedEnds } from './shared-ends.js';

describe('sharedEnds', () => {
  it('measures the common head and tail by identity', () => {
    const [a, b, c, d] = [{}, {}, {}, {}];
    expect(sharedEnds([a, b, c], [a, b, c])).toEqual({ head: 3, tail: 0 });
    expect(sharedEnds([a, b, c], [a, d, c])).toEqual({ head: 1, tail: 1 });
    expect(sharedEnds([a, b, c], [a, b, d, c])).toEqual({ head: 2, tail: 1 });
    expect(sharedEnds([a, b, c], [b, c])).toEqual({ head: 0, tail: 2 });
    expect(sharedEnds([a, a], [a])).toEqual({ head: 1, tail: 0 });
    expect(sharedEnds([], [a])).toEqual({ head: 0, tail: 0 });
    expect(sharedEnds([{ x: 1 }], [{ x: 1 }])).toEqual({ head: 0, tail: 0 });
  });

  it('leaves between the ends exactly what a random edit changed', () => {
    const random = seededRandom(3);
    for (let step = 0; step < 2000; step++) {
      const before = Array.from({ length: Math.floor(random() * 20) }, () => ({}));
      const at = Math.floor(random() * (before.length + 1));
      const removed = Math.floor(random() * (before.length - at + 1));
      const added = Array.from({ length: Math.floor(random() * 3) }, () => ({}));
      const now = [...before.slice(0, at), ...added, ...before.slice(at + removed)];
      const { head, tail } = sharedEnds(before, now);
      expect(head + tail).toBeLessThanOrEqual(Math.min(before.length, now.length));
      // The ends are shared, and the middle of each holds exactly the edit's own elements.
      for (let i = 0; i < head; i++) expect(now[i]).toBe(before[i]);
      for (let i = 1; i <= tail; i++) expect(now[now.length - i]).toBe(before[before.length - i]);
      const middle = now.slice(head, now.length - tail);
      expect(middle.filter((x) => !before.includes(x))).toEqual(added);
      expect(before.length - head - tail - (middle.length - added.length)).toBe(removed);
    }
  });
});
