import { describe, expect, it } from 'vitest';
import {
  compareRefs,
  keyOfResource,
  kindOf,
  mergeProvenance,
  type Resource,
  type ResourceRef,
  refKey,
  refOf,
  resourceKey,
  type SourceLocation,
} from './resource.js';
import { seededRandom } from './seeded-random.js';

/** mergeProvenance as first written: deduplicated by key (first wins), sorted with compareRefs. */
function reference(...lists: ResourceRef[][]): ResourceRef[] {
  const byKey = new Map<string, ResourceRef>();
  for (const list of lists)
    for (const ref of list) if (!byKey.has(resourceKey(ref))) byKey.set(resourceKey(ref), ref);
  return [...byKey.values()].sort(compareRefs);
}

/** refOf as first written: three keys, then namespace and source added one by one. */
function refStepByStep(resource: Resource, origin?: SourceLocation): ResourceRef {
  const ref: ResourceRef = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    name: resource.metadata.name,
  };
  if (resource.metadata.namespace !== undefined) ref.namespace = resource.metadata.namespace;
  if (origin?.file !== undefined) ref.source = origin.line ? `${origin.file}:${origin.line}` : origin.file;
  return ref;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

describe('mergeProvenance', () => {
  it('keeps the first ref of each key and orders refs as compareRefs does (random lists, fixed seed)', () => {
    const next = random(15);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const kinds = ['Mapping', 'Host', 'Secret', 'TLSContext', 'mapping'];
    const versions = ['getambassador.io/v3alpha1', 'getambassador.io/v2', 'v1', 'x.example/v1'];
    const names = ['a', 'b', 'a-b', 'a/b', 'Z', 'é', 'quote', 'quote-2', ''];
    const ref = (): ResourceRef => {
      const r: ResourceRef = { apiVersion: pick(versions), kind: pick(kinds), name: pick(names) };
      if (next() < 0.6) r.namespace = pick(['default', 'team-1', 'team-10', '']);
      if (next() < 0.3) r.source = `file-${Math.floor(next() * 3)}.yaml`;
      return r;
    };
    for (let round = 0; round < 300; round++) {
      const lists = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        Array.from({ length: Math.floor(next() * 12) }, ref),
      );
      const merged = mergeProvenance(...lists);
      const expected = reference(...lists);
      expect(merged).toEqual(expected);
      // The same ref objects, not copies: callers compare provenance by identity.
      for (const [i, r] of merged.entries()) expect(r).toBe(expected[i]);
    }
  });
});

describe('keyOfResource', () => {
  it('is the resourceKey of the resource as a ref, with and without a namespace', () => {
    const cases = [
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: 'q', namespace: 'default' },
      },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
      { apiVersion: 'x.example/v1', kind: 'Thing', metadata: { name: 'a/b', namespace: '' } },
    ];
    for (const resource of cases) {
      const ref: ResourceRef = {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        name: resource.metadata.name,
      };
      if (resource.metadata.namespace !== undefined) ref.namespace = resource.metadata.namespace;
      expect(keyOfResource(resource)).toBe(resourceKey(ref));
    }
    expect(keyOfResource(cases[0]!)).toBe('getambassador.io/Mapping/default/q');
    expect(keyOfResource(cases[1]!)).toBe('Secret//s');
  });
});

describe('kindOf', () => {
  it('qualifies the kind by its API group (none for the core group), the same answer however often asked', () => {
    expect(kindOf({ apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping' })).toBe(
      'getambassador.io/Mapping',
    );
    expect(kindOf({ apiVersion: 'getambassador.io/v2', kind: 'Mapping' })).toBe('getambassador.io/Mapping');
    expect(kindOf({ apiVersion: 'v1', kind: 'Secret' })).toBe('Secret');
    expect(kindOf({ apiVersion: 'v1', kind: 'Service' })).toBe('Service');
    // Past the cache's bound (1,000 apiVersions, or kinds of one apiVersion) the answers stay right.
    for (let i = 0; i < 2500; i++) {
      expect(kindOf({ apiVersion: `g${i % 1300}.example/v1`, kind: `K${i}` })).toBe(
        `g${i % 1300}.example/K${i}`,
      );
    }
    expect(kindOf({ apiVersion: 'getambassador.io/v3alpha1', kind: 'Host' })).toBe('getambassador.io/Host');
    expect(kindOf({ apiVersion: 'v1', kind: 'Secret' })).toBe('Secret');
  });
});

describe('refKey', () => {
  it('is resourceKey of the ref, the same on every call for the same ref object', () => {
    const refs: ResourceRef[] = [
      { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name: 'quote' },
      {
        apiVersion: 'getambassador.io/v2',
        kind: 'Mapping',
        namespace: 'default',
        name: 'quote',
        source: 'a.yaml:3',
      },
      { apiVersion: 'v1', kind: 'Secret', name: 'tls' },
      { apiVersion: 'x.example/v1', kind: 'Widget', namespace: '', name: 'a/b' },
    ];
    for (const ref of refs) {
      expect(refKey(ref)).toBe(resourceKey(ref));
      expect(refKey(ref)).toBe(refKey(ref));
    }
    // Versions of one group share a key; distinct objects with equal fields too.
    expect(refKey(refs[0]!)).toBe(refKey(refs[1]!));
    expect(refKey({ ...refs[2]! })).toBe(refKey(refs[2]!));
    expect(refKey(refs[2]!)).not.toBe(refKey(refs[3]!));
  });
});

describe('refOf', () => {
  it('is the step-by-step ref: the same keys in the same order and the same values, over random resources and origins', () => {
    const random = seededRandom(1501);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let literal = 0;
    for (let i = 0; i < 5_000; i++) {
      const metadata: Resource['metadata'] = { name: pick(['m0', 'quote', 'a-b', '']) };
      if (random() < 0.7) metadata.namespace = pick(['default', 'team-1', '']);
      const resource: Resource = {
        apiVersion: pick(['getambassador.io/v3alpha1', 'getambassador.io/v2', 'v1']),
        kind: pick(['Mapping', 'Host', 'Secret']),
        metadata,
      };
      let origin: SourceLocation | undefined;
      if (random() < 0.9) {
        origin = { source: pick(['source-file', 'source-kubernetes']) };
        if (random() < 0.8) origin.file = pick(['/tmp/a.yaml', 'ns/obj', '']);
        if (random() < 0.7) origin.line = pick([0, 1, 42, 12345]);
      }
      const got = refOf(resource, origin);
      const want = refStepByStep(resource, origin);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(got).toEqual(want);
      if (metadata.namespace !== undefined && origin?.file !== undefined) literal++;
    }
    // The five-key literal (not the step-by-step branch) answered a good share of them.
    expect(literal).toBeGreaterThan(1_500);
  });
});
