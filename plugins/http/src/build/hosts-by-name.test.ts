import { describe, expect, it } from 'vitest';
import { mappingFieldsOf } from '../ingest/mapping-fields.js';
import type { HttpHost, HttpMapping } from '../model.js';
import { sampleHostnames } from '../testing/hostnames.js';
import type { RouteGroup } from './groups.js';
import { HostsByName } from './hosts-by-name.js';
import { attaches } from './kept-groups.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const names = sampleHostnames;

const host = (i: number, hostname: string): HttpHost =>
  ({ id: `default/h${i}`, hostname, ref: { kind: 'Host', name: `h${i}` } }) as unknown as HttpHost;

/** A group of each kind groupGlob tells apart: a hostname glob, a regex, a redirect, none. */
function group(random: () => number): RouteGroup {
  const pick = () => names[Math.floor(random() * names.length)]!;
  const r = random();
  if (r < 0.7) return { authority: { glob: pick() }, members: [], shadows: [] } as unknown as RouteGroup;
  if (r < 0.8) return { authority: { regex: '.*' }, members: [], shadows: [] } as unknown as RouteGroup;
  if (r < 0.9) {
    const spec = { host_redirect: true, service: pick().replace(/^\*\./, 'w.'), prefix: '/' };
    const redirect = { spec, fields: mappingFieldsOf(spec) } as HttpMapping;
    return { members: [], shadows: [redirect] } as unknown as RouteGroup;
  }
  return { members: [], shadows: [] } as unknown as RouteGroup;
}

describe('HostsByName', () => {
  it('finds exactly the Hosts `attaches` accepts, for random Hosts and groups', () => {
    const random = lcg(15);
    let found = 0;
    for (let step = 0; step < 300; step++) {
      const hosts = Array.from({ length: Math.floor(random() * 12) }, (_, i) =>
        host(i, names[Math.floor(random() * names.length)]!),
      );
      const index = new HostsByName(hosts);
      for (let g = 0; g < 8; g++) {
        const candidate = group(random);
        const seen: HttpHost[] = [];
        index.forEachAttached(candidate, (h) => seen.push(h));
        const expected = hosts.filter((h) => attaches(candidate, h));
        expect(seen.map((h) => h.id).sort()).toEqual(expected.map((h) => h.id).sort());
        expect(index.attachesAny(candidate)).toBe(expected.length > 0);
        found += expected.length;
      }
    }
    // Not a vacuous pass: many groups attached to some Host.
    expect(found).toBeGreaterThan(1000);
  });
});
