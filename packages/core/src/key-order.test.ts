import { describe, expect, it } from 'vitest';
import { compareKeyed } from './admit-inputs.js';
import type { KeyedInput } from './incremental-inputs.js';
import { sortByKey } from './key-order.js';
import type { StoredResource } from './resource.js';
import { seededRandom } from './seeded-random.js';

/** Keys drawn from a small alphabet, with non-ASCII and astral characters, so that orders differ where code points and code units do. */
const alphabet = ['a', 'b', 'B', '-', '/', '0', '9', 'é', '\uff21', '\u{1f600}', '\u{10000}', 'z'];

function randomInputs(random: () => number, count: number, distinct: boolean): KeyedInput[] {
  const seen = new Set<string>();
  const list: KeyedInput[] = [];
  while (list.length < count) {
    let key = '';
    const length = 1 + Math.floor(random() * 6);
    for (let i = 0; i < length; i++) key += alphabet[Math.floor(random() * alphabet.length)];
    if (distinct && seen.has(key)) continue;
    seen.add(key);
    const line = Math.floor(random() * 50);
    const stored = {
      resource: { apiVersion: 'v1', kind: 'K', metadata: { name: key }, spec: { n: list.length } },
      origin: { source: 'file', file: random() < 0.5 ? 'a.yaml' : 'b.yaml', line },
    } as unknown as StoredResource;
    list.push({ stored, key });
  }
  return list;
}

describe('sortByKey', () => {
  it('orders as compareKeyed does, with and without duplicate keys, at every size', () => {
    const random = seededRandom(14);
    for (let round = 0; round < 200; round++) {
      const count = Math.floor(random() * 400);
      const list = randomInputs(random, count, random() < 0.7);
      const expected = [...list].sort(compareKeyed);
      const actual = sortByKey([...list], compareKeyed);
      expect(actual.map((e) => e.stored)).toEqual(expected.map((e) => e.stored));
      // The same objects, each once.
      expect(new Set(actual).size).toBe(list.length);
    }
  });

  it('sorts by code units, as compareKeyed does, not by code points', () => {
    const keys = Array.from({ length: 80 }, (_, i) => (i % 2 ? `\uff21${i}` : `\u{1f600}${i}`));
    const list = keys.map((key) => ({ stored: {} as StoredResource, key }));
    const sorted = sortByKey(list, (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // U+1F600 is written with the surrogate U+D83D, which sorts before U+FF21.
    expect(sorted[0]!.key.startsWith('\u{1f600}')).toBe(true);
    expect(sorted.at(-1)!.key.startsWith('\uff21')).toBe(true);
  });
});
