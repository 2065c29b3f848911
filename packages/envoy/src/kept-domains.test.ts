import { describe, expect, it } from 'vitest';
import { inDomainScope, uniqueDomains, uniqueDomainsKept } from './kept-domains.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Json = Record<string, unknown>;

describe('uniqueDomainsKept', () => {
  it('answers what a count of the whole table answers, over random edits of two tables', () => {
    const random = lcg(9);
    const int = (n: number) => Math.floor(random() * n);
    let next = 0;
    const tables: Record<string, Json[]> = { a: [], b: [] };
    const domain = (): string => `host-${next++}.example.com`;
    const vh = (): Json => ({ name: `vh${next}`, domains: Array.from({ length: 1 + int(3) }, domain) });
    const fresh = (n: number) => Array.from({ length: n }, vh);
    tables.a = fresh(120);
    tables.b = fresh(90);
    const scope = {};
    let repeats = 0;
    let unique = 0;
    for (let step = 0; step < 600; step++) {
      const name = random() < 0.7 ? 'a' : 'b';
      const table = tables[name]!.slice();
      const kind = int(9);
      if (kind === 0) table.splice(int(table.length), 0, vh());
      else if (kind === 1 && table.length > 66) table.splice(int(table.length), 1);
      else if (kind === 2) table[int(table.length)] = vh();
      else if (kind === 3) table.splice(int(table.length), 1 + int(3), ...fresh(int(4)));
      else if (kind === 4) {
        // A repeat taken out: its virtual host replaced by one whose domains are all new.
        const at = table.findIndex((v) => v.name === 'repeat');
        table[at >= 0 ? at : int(table.length)] = { name: 'unique', domains: [domain()] };
      } else if (kind === 5 && random() < 0.1) tables[name] = fresh(70 + int(100));
      else if (kind === 6 && table.length > 0) {
        // The same object moved elsewhere in the table.
        const [moved] = table.splice(int(table.length), 1);
        table.splice(int(table.length), 0, moved!);
      } else if (kind === 7) {
        // A domain of the table again, in another case (a repeat), in place of a virtual host.
        const from = (table[int(table.length)]!.domains as string[])[0]!;
        table[int(table.length)] = { name: 'repeat', domains: [domain(), from.toUpperCase()] };
      } else if (kind === 8 && random() < 0.2) {
        // The same object twice (a repeat by itself), next to or away from itself.
        const at = int(table.length);
        table.splice(random() < 0.5 ? at : int(table.length), 0, table[at]!);
      }
      if (kind !== 5) tables[name] = table;
      const now = tables[name]!;
      const expected = uniqueDomains(now);
      expect(
        inDomainScope(scope, () => uniqueDomainsKept(now, name)),
        `step ${step}`,
      ).toBe(expected);
      // The same array asked again (another validation of the same table).
      expect(inDomainScope(scope, () => uniqueDomainsKept(now, name))).toBe(expected);
      if (expected) unique++;
      else repeats++;
    }
    // Both answers occur, so each path was exercised.
    expect(unique).toBeGreaterThan(50);
    expect(repeats).toBeGreaterThan(50);
  });

  it('counts domains without case, and within one virtual host', () => {
    expect(uniqueDomains([{ domains: ['a.example.com', 'A.Example.com'] }])).toBe(false);
    expect(uniqueDomains([{ domains: ['a.example.com'] }, { domains: ['b.example.com'] }])).toBe(true);
  });
});
