import { describe, expect, it } from 'vitest';
import { fastMessageOfTypeUrl } from './fast-descriptors.js';
import { tallyVerdict } from './testing/tally-verdict.js';
import {
  type JsonObject,
  mutationPool,
  seededRandom,
  validationFixtures,
} from './testing/validation-corpus.js';
import { fastAccepts } from './validate-fast.js';

// (The descriptors validateResource gives it: the build's table, fast-descriptors.ts.)
const fast = (json: JsonObject) => fastAccepts(fastMessageOfTypeUrl(json['@type'] as string)!, json, true);

describe('fast validation path, values met again', () => {
  it('a value a field remembers carries no verdict over to another (near misses in a random order, often twice in a row)', () => {
    const fixtures = validationFixtures();
    const random = seededRandom(1516);
    const pool = mutationPool(fixtures, random, 60);
    let last = fixtures[0]!;
    const tally = { accepted: 0, refused: 0 };
    for (let i = 0; i < 6000; i++) {
      const r = random();
      const json =
        r < 0.3
          ? last
          : r < 0.45
            ? fixtures[Math.floor(random() * fixtures.length)]!
            : pool[Math.floor(random() * pool.length)]!;
      last = json;
      tallyVerdict(json, fast(json), fixtures, tally);
    }
    expect(tally.accepted).toBeGreaterThan(1000);
    expect(tally.refused).toBeGreaterThan(1000);
  }, 300_000);
});
