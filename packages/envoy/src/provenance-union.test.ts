import { type IRRoute, mergeProvenance, type ResourceRef } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { ResourcePart } from './lower/common.js';
import { RoutePart } from './lower/route-part.js';
import { mergeRefLists, unionProvenance } from './provenance-union.js';
import { seededRandom as random } from './testing/validation-corpus.js';

/**
 * Refs drawn from a few names, each name with two ref objects that share its resource key
 * but differ (apiVersion, source): which of them survives shows that the first occurrence wins.
 */
function refPool(next: () => number): () => ResourceRef {
  const names = Array.from({ length: 12 }, (_, i) => `m${i}`);
  const pool: ResourceRef[] = names.flatMap((name) => [
    { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name },
    { apiVersion: 'getambassador.io/v2', kind: 'Mapping', namespace: 'default', name, source: 'b.yaml' },
  ]);
  pool.push({ apiVersion: 'getambassador.io/v3alpha1', kind: 'Host', name: 'h' });
  return () => pool[Math.floor(next() * pool.length)]!;
}

function case_(seed: number, lists: number): { own: ResourceRef[]; parts: ResourcePart[] } {
  const next = random(seed);
  const ref = refPool(next);
  const refs = (n: number) => Array.from({ length: n }, ref);
  const routeLists: IRRoute[][] = Array.from({ length: Math.max(1, Math.ceil(lists / 2)) }, () =>
    Array.from(
      // Short lists (their refs sorted by insertion) and long ones (sorted through a map).
      { length: Math.floor(next() * (next() < 0.5 ? 5 : 16)) },
      (_, i) => ({ name: `r${i}`, provenance: refs(1 + Math.floor(next() * 3)) }) as IRRoute,
    ),
  );
  const parts: ResourcePart[] = [];
  for (let v = 0; v < lists; v++) {
    parts.push({
      pointer: `/virtual_hosts/${v}`,
      label: 'vh',
      provenance: refs(Math.floor(next() * 3)),
      droppable: false,
    });
    // Lists recur (a list shared by two virtual hosts) and are sometimes left out in part.
    const list = routeLists[Math.floor(next() * routeLists.length)]!;
    const drop = next() < 0.2 ? Math.floor(next() * list.length) : -1;
    list.forEach((_, r) => {
      if (r !== drop) parts.push(new RoutePart(v, r, list));
    });
  }
  return { own: refs(Math.floor(next() * 3)), parts };
}

describe('unionProvenance', () => {
  it('is mergeProvenance of the resource and its parts, the very ref objects included', () => {
    for (let seed = 1; seed <= 400; seed++) {
      for (const lists of [0, 1, 2, 5, 70]) {
        const { own, parts } = case_(seed * 7 + lists, lists);
        const expected = mergeProvenance(own, ...parts.map((p) => p.provenance));
        const actual = unionProvenance(own, parts);
        expect(actual).toEqual(expected);
        for (let i = 0; i < actual.length; i++) expect(actual[i]).toBe(expected[i]);
      }
    }
  });

  it('mergeRefLists is mergeProvenance, the very ref objects included', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const ref = refPool(next);
      const lists = Array.from({ length: Math.floor(next() * 4) }, () =>
        Array.from({ length: Math.floor(next() * (next() < 0.5 ? 4 : 20)) }, ref),
      );
      const expected = mergeProvenance(...lists);
      const actual = mergeRefLists(...lists);
      expect(actual).toEqual(expected);
      for (let i = 0; i < actual.length; i++) expect(actual[i]).toBe(expected[i]);
    }
  });

  it('returns a list of its own each time (sorted refs of a route list are kept for other resources)', () => {
    const list = [{ name: 'r', provenance: [{ apiVersion: 'v1', kind: 'K', name: 'a' }] } as IRRoute];
    const first = unionProvenance([], [new RoutePart(0, 0, list)]);
    first.push({ apiVersion: 'v1', kind: 'K', name: 'z' });
    expect(unionProvenance([], [new RoutePart(0, 0, list)])).toEqual([
      { apiVersion: 'v1', kind: 'K', name: 'a' },
    ]);
  });
});
