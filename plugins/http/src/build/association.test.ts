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
