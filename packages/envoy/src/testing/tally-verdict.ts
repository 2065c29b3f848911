import { expect } from 'vitest';
import { checkResource } from '../validate.js';
import type { JsonObject } from './validation-corpus.js';

/** How many resources a random test's fast path accepted and refused. */
export interface VerdictTally {
  accepted: number;
  refused: number;
}

/**
 * Counts one verdict of the fast path and holds it to the authoritative check: the test fails
 * when the fast path accepts a resource the authoritative check refuses, or refuses a fixture
 * (valid, and of shapes the fast path handles: refusing one saves nothing).
 */
export function tallyVerdict(
  json: JsonObject,
  fastAccepted: boolean,
  fixtures: readonly JsonObject[],
  tally: VerdictTally,
): void {
  const checked = checkResource(json);
  if (fastAccepted) {
    tally.accepted++;
    if (!checked.ok) expect.fail(`accepted an invalid resource: ${JSON.stringify(checked.issues)}`);
  } else {
    tally.refused++;
    if (fixtures.includes(json)) expect.fail(`refused a fixture: ${json['@type']}`);
  }
}
