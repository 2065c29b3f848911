import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createFastDescriptors, parseFastDescriptorTable, useFastDescriptors } from './fast-descriptors.js';
import { tallyVerdict } from './testing/tally-verdict.js';
import {
  type JsonObject,
  mutationPool,
  mutations,
  seededRandom,
  validationFixtures,
} from './testing/validation-corpus.js';
import { checkResource } from './validate.js';
import { fastAccepts } from './validate-fast.js';

const table = parseFastDescriptorTable(
  readFileSync(new URL('../gen/envoy-fast.json', import.meta.url), 'latin1'),
);
const authoritative = (json: JsonObject) => checkResource(json).ok;

/**
 * The fast path with descriptors of its own (so plans of their own, whose fields without rules
 * are compiled when first met): the first value a field meets is the one given here.
 */
function freshVerdict(json: JsonObject): boolean {
  const descriptors = createFastDescriptors(table);
  useFastDescriptors(descriptors);
  return fastAccepts(descriptors.messageOfTypeUrl(json['@type'] as string)!, json, true);
}

describe('fast validation path, fields compiled when first met', () => {
  afterEach(() => useFastDescriptors(undefined));

  it('gives only verdicts the authoritative check gives, a field first met at a valid or an invalid value (fixed seed)', () => {
    const fixtures = validationFixtures();
    const random = seededRandom(1601);
    const pool = mutationPool(fixtures, random, 40);
    const tally = { accepted: 0, refused: 0 };
    for (let i = 0; i < 1500; i++) {
      const json =
        random() < 0.2
          ? fixtures[Math.floor(random() * fixtures.length)]!
          : pool[Math.floor(random() * pool.length)]!;
      tallyVerdict(json, freshVerdict(json), fixtures, tally);
    }
    expect(tally.accepted).toBeGreaterThan(200);
    expect(tally.refused).toBeGreaterThan(500);
  }, 300_000);

  it('judges each fixture alike whichever fields were met before (plans shared, fixtures in a random order)', () => {
    const fixtures = validationFixtures();
    const random = seededRandom(1602);
    for (let round = 0; round < 20; round++) {
      const descriptors = createFastDescriptors(table);
      useFastDescriptors(descriptors);
      const order = fixtures.map((json) => ({ json, key: random() })).sort((a, b) => a.key - b.key);
      for (const { json } of order) {
        const mutated = [...mutations(json)];
        const first = mutated[Math.floor(random() * mutated.length)]!;
        const desc = descriptors.messageOfTypeUrl(json['@type'] as string)!;
        // A near miss first (its fields compiled on it), then the fixture itself.
        if (fastAccepts(desc, first, true) && !authoritative(first))
          expect.fail('accepted an invalid resource');
        expect(fastAccepts(desc, json, true), `${json['@type']}`).toBe(true);
      }
    }
  }, 300_000);
});
