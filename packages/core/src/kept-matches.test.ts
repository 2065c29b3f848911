import { describe, expect, it } from 'vitest';
import { KeptMatches } from './kept-matches.js';
import { seededRandom } from './seeded-random.js';

interface Item {
  uses: boolean;
}

describe('KeptMatches', () => {
  it('gives the positions a test of every item gives, after every random edit, testing only what changed', () => {
    const random = seededRandom(15);
    const item = (): Item => ({ uses: random() < 0.2 });
    let tested = 0;
    const kept = new KeptMatches<Item>((i) => {
      tested++;
      return i.uses;
    });
    let list: Item[] = Array.from({ length: 200 }, item);
    let edits = 0;
    for (let step = 0; step < 500; step++) {
      const r = random();
      list = list.slice();
      const at = Math.floor(random() * (list.length + 1));
      if (r < 0.05) list = Array.from({ length: Math.floor(random() * 300) }, item);
      else if (r < 0.35) list.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 3) }, item));
      else if (r < 0.65) list.splice(at, 1 + Math.floor(random() * 3));
      else if (r < 0.95 && at < list.length) list[at] = item();
      // else: the same items in a new list
      tested = 0;
      const positions = kept.in(list);
      expect(positions, `step ${step}`).toEqual(list.flatMap((x, i) => (x.uses ? [i] : [])));
      if (r >= 0.05 && tested <= 4) edits++;
    }
    // Edits of a few items tested a few items, not the list.
    expect(edits).toBeGreaterThan(400);
  });
});
