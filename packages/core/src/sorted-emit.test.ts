import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';
import { sortedEmitProblem } from './sorted-emit.js';
import type { XdsResource } from './xds.js';

const typeUrl = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const make = (name: string, type = typeUrl): XdsResource =>
  ({ typeUrl: type, name, resource: {} }) as XdsResource;

/** The check with no list to lean on: every neighbouring pair compared. */
function naive(resources: readonly XdsResource[]): boolean {
  for (let i = 1; i < resources.length; i++) {
    if (resources[i]!.typeUrl !== resources[0]!.typeUrl) return false;
    if (!(resources[i - 1]!.name < resources[i]!.name)) return false;
  }
  return true;
}

describe('sortedEmitProblem', () => {
  it('names the problem: another type, a name twice, out of order', () => {
    expect(sortedEmitProblem([make('a'), make('b')])).toBeUndefined();
    expect(sortedEmitProblem([make('a'), make('b', 'other')])).toMatch(/emitted other among/);
    expect(sortedEmitProblem([make('a'), make('a')])).toMatch(/a twice/);
    expect(sortedEmitProblem([make('b'), make('a')])).toMatch(/a out of name order/);
  });

  it('with the last list, finds every problem the full check finds, over random edits of it', () => {
    const random = seededRandom(7);
    let serial = 0;
    const fresh = () => make(`n${String(Math.floor(random() * 1e6)).padStart(7, '0')}-${serial++}`);
    let before = Array.from({ length: 200 }, fresh).sort((a, b) => (a.name < b.name ? -1 : 1));
    let bad = 0;
    for (let step = 0; step < 3000; step++) {
      const next = before.slice();
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * next.length);
        const roll = random();
        if (roll < 0.3) next.splice(at, 1);
        else if (roll < 0.55) {
          // Inserted in order, or not (a quarter of the time anywhere).
          const r = fresh();
          let place = next.findIndex((x) => x.name > r.name);
          if (place < 0) place = next.length;
          next.splice(random() < 0.25 ? at : place, 0, r);
        } else if (roll < 0.65)
          next.splice(at, 0, next[at] ?? fresh()); // a resource twice
        else if (roll < 0.72)
          next.splice(at, 0, make(next[at]?.name ?? 'x')); // a name twice
        else if (roll < 0.78 && next.length > 1)
          [next[at], next[0]] = [next[0]!, next[at]!]; // swapped
        else if (roll < 0.82)
          next.splice(at, 1, make(next[at]?.name ?? 'y', 'other')); // another type
        else if (roll < 0.9) next[at] = make(next[at]?.name ?? 'z'); // the same name, a new object
        // else: unchanged here
      }
      const ok = naive(next);
      expect(sortedEmitProblem(next, before) === undefined, `step ${step}`).toBe(ok);
      expect(sortedEmitProblem(next) === undefined, `step ${step}`).toBe(ok);
      if (!ok) bad++;
      // Only checked lists become the next `before` (as compile keeps them).
      if (ok) before = next;
    }
    expect(bad).toBeGreaterThan(300);
    expect(bad).toBeLessThan(2700);
  });
});
