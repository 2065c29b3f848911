import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { duration } from './common.js';

/** duration as it was before whole seconds were made once: the plain computation. */
function plainDuration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const seconds = Math.floor(ms / 1000);
  const rest = ms - seconds * 1000;
  return rest === 0
    ? `${seconds}s`
    : `${seconds}.${String(Math.round(rest * 1e6))
        .padStart(9, '0')
        .replace(/0+$/, '')}s`;
}

describe('duration', () => {
  it('gives the plain computation for random milliseconds (whole seconds shared, the rest not)', () => {
    const random = seededRandom(1415);
    const samples: (number | undefined)[] = [undefined, 0, -0, 999, 1000, 3_600_000, 3_601_000, -1000];
    for (let i = 0; i < 5000; i++) {
      const r = random();
      samples.push(
        r < 0.4
          ? Math.floor(random() * 4000) * 1000
          : r < 0.6
            ? Math.floor(random() * 4_000_000)
            : r < 0.7
              ? -Math.floor(random() * 10_000)
              : r < 0.8
                ? random() * 100_000
                : Math.floor(random() * 1e12) * 1000,
      );
    }
    for (const ms of samples) {
      expect(duration(ms)).toBe(plainDuration(ms));
      expect(duration(ms)).toBe(plainDuration(ms));
    }
  });
});
