import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { mappingFieldsOf } from '../ingest/mapping-fields.js';
import type { HttpHost, HttpMapping } from '../model.js';
import { sampleHostnames } from '../testing/hostnames.js';
import { GroupIndex } from './association.js';
import type { RouteGroup } from './groups.js';
import { attaches } from './kept-groups.js';

const names = sampleHostnames;

/** A group of each kind GroupIndex tells apart: an exact or glob hostname, a regex, a redirect, none. */
function group(random: () => number, i: number): RouteGroup {
  const pick = () => names[Math.floor(random() * names.length)]!;
  const r = random();
  const base = { key: `g${i}`, members: [], shadows: [] };
  if (r < 0.7) return { ...base, authority: { glob: pick() } } as unknown as RouteGroup;
  if (r < 0.8) return { ...base, authority: { regex: '.*' } } as unknown as RouteGroup;
  if (r < 0.9) {
    const spec = { host_redirect: true, service: pick().replace(/^\*\./, 'w.'), prefix: '/' };
    return {
      ...base,
      shadows: [{ spec, fields: mappingFieldsOf(spec) } as HttpMapping],
    } as unknown as RouteGroup;
  }
  return base as unknown as RouteGroup;
}

describe('GroupIndex.groupsFor', () => {
  it('gives, for Hosts without a mappingSelector, exactly the groups `attaches` accepts, in route order', () => {
    const random = seededRandom(15);
    let found = 0;
    for (let step = 0; step < 300; step++) {
      const groups = Array.from({ length: Math.floor(random() * 40) }, (_, i) => group(random, i));
      const index = new GroupIndex(groups);
      for (const hostname of names) {
        const host = { id: `default/${hostname}`, hostname } as unknown as HttpHost;
        const expected = groups.filter((g) => attaches(g, host));
        expect(index.groupsFor(host)).toEqual(expected);
        found += expected.length;
      }
    }
    // Not a vacuous pass: many groups attached to some Host.
    expect(found).toBeGreaterThan(5000);
  });
});

describe('GroupIndex.given', () => {
  it('marks exactly the groups some groupsFor answer held, by position, over random groups and Hosts', () => {
    const random = seededRandom(1702);
    let marked = 0;
    let unmarked = 0;
    for (let step = 0; step < 300; step++) {
      const groups = Array.from({ length: Math.floor(random() * 40) }, (_, i) => group(random, i));
      // Labels for a Host's selector to find (only redirect groups have a Mapping here: a shadow).
      for (const g of groups)
        for (const s of g.shadows) (s as { labels: object }).labels = random() < 0.5 ? { team: 'a' } : {};
      const index = new GroupIndex(groups, random() < 0.5);
      const held = new Set<RouteGroup>();
      for (const hostname of names) {
        if (random() < 0.5) continue;
        // Now and then a Host with a mappingSelector (the set-and-sort path, and the strict one).
        const mappingSelector = random() < 0.2 ? { matchLabels: { team: 'a' } } : {};
        const host = { id: `default/${hostname}`, hostname, mappingSelector } as unknown as HttpHost;
        for (const g of index.groupsFor(host)) held.add(g);
      }
      groups.forEach((g, i) => {
        expect(index.given[i]).toBe(held.has(g) ? 1 : 0);
        if (held.has(g)) marked++;
        else unmarked++;
      });
    }
    // Not a vacuous pass: both answers, many times.
    expect(marked).toBeGreaterThan(1000);
    expect(unmarked).toBeGreaterThan(300);
  });
});
