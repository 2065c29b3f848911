import { compareRefs, type IRCluster, mergeProvenance, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { mappingFieldsOf } from '../ingest/mapping-fields.js';
import type { HttpMapping } from '../model.js';
import { type Upstream, upstreamChanges } from '../resolve/upstreams.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { KeptClusters, provenanceOf } from './kept-clusters.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const mapping = (name: string): HttpMapping => ({
  ref: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name },
  id: `default/${name}`,
  name,
  namespace: 'default',
  labels: {},
  spec: { service: name, prefix: `/${name}/` } as MappingSpec,
  fields: mappingFieldsOf({ service: name, prefix: `/${name}/` }),
  bypassAuth: false,
  authContextExtensions: {},
  rateLimitLabels: undefined,
  routeNames: [],
});

const upstream = (cluster: string): Upstream => ({
  cluster: { name: cluster, discovery: 'STRICT_DNS', targets: [{ host: cluster, port: 80 }], provenance: [] },
  authority: `${cluster}:80`,
});

/** What a build gives, by cluster name: its users' names (provenance) and target. */
const shape = (clusters: Map<string, IRCluster>) =>
  [...clusters].map(([name, c]) => [name, c.provenance.map((r) => r.name), c.targets?.[0]?.host]).sort();

describe('KeptClusters', () => {
  it('patched from the upstream changes, gives what a full build gives, edit after edit', () => {
    const random = lcg(15);
    const pool = Array.from({ length: 40 }, (_, i) => mapping(`m${String(i).padStart(2, '0')}`));
    const clusterNames = ['a', 'b', 'c', 'd', 'e'];
    const kept = new KeptClusters();
    let mappings = pool.filter(() => random() < 0.7);
    let upstreams = new Map(mappings.map((m) => [m.id, upstream(clusterNames[m.name.length % 5]!)]));
    kept.build(mappings, upstreams);
    let patched = 0;
    for (let step = 0; step < 200; step++) {
      // A few Mappings leave or join (the list keeps its order), a few change cluster in place.
      const next = pool.filter((m) => (mappings.includes(m) ? random() > 0.05 : random() < 0.05));
      const now = new Map<string, Upstream>();
      const changed: HttpMapping[] = [];
      for (const m of next) {
        const before = upstreams.get(m.id);
        const moves = before === undefined || random() < 0.05;
        const u = moves ? upstream(clusterNames[Math.floor(random() * 5)]!) : before;
        now.set(m.id, u);
        if (!mappings.includes(m) || u.cluster.name !== before?.cluster.name) changed.push(m);
      }
      for (const m of mappings) if (!next.includes(m)) changed.push(m);
      // What resolveUpstreams says of an incremental map; now and then it says nothing (full build).
      if (random() < 0.9) {
        upstreamChanges.set(now, {
          since: upstreams,
          mappings: changed,
          gone: mappings.filter((m) => !next.includes(m)),
        });
        patched++;
      }
      const got = kept.build(next, now);
      expect(shape(got)).toEqual(shape(new KeptClusters().build(next, now)));
      mappings = next;
      upstreams = now;
    }
    expect(patched).toBeGreaterThan(150);
  });
});

describe('provenanceOf', () => {
  it("is mergeProvenance of the users' refs, over random user lists (sorted, unsorted, repeated, other kinds)", () => {
    const random = seededRandom(15);
    const next = (n: number) => Math.floor(random() * n);
    const pool: HttpMapping[] = [];
    for (let i = 0; i < 40; i++) {
      const m = mapping(`m${next(30)}`);
      // Other namespaces, versions and kinds: keys that sort apart from names alone.
      if (random() < 0.3) m.ref = { ...m.ref, namespace: `ns${next(3)}` };
      if (random() < 0.2) m.ref = { ...m.ref, apiVersion: 'getambassador.io/v2' };
      if (random() < 0.1) m.ref = { ...m.ref, kind: 'TCPMapping' };
      pool.push(m);
    }
    let asIs = 0;
    for (let i = 0; i < 5_000; i++) {
      const users = Array.from({ length: 1 + next(6) }, () => pool[next(pool.length)]!);
      if (random() < 0.5) users.sort((a, b) => compareRefs(a.ref, b.ref));
      const refs = users.map((m) => m.ref);
      const got = provenanceOf(users);
      expect(got).toEqual(mergeProvenance(refs));
      // Element by element the same objects (deduplicated refs keep the first one).
      const want = mergeProvenance(refs);
      for (let j = 0; j < want.length; j++) expect(got[j]).toBe(want[j]);
      if (got.length === refs.length && got.every((r, j) => r === refs[j])) asIs++;
    }
    expect(asIs).toBeGreaterThan(1_000);
  });
});
