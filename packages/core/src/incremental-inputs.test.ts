import { describe, expect, it } from 'vitest';
import { KeptInputOrder, type KeyedInput } from './incremental-inputs.js';
import { compareStrings, keyOfResource, type StoredResource } from './resource.js';

const compare = (a: KeyedInput, b: KeyedInput) =>
  compareStrings(a.key, b.key) || (a.stored.origin.line ?? 0) - (b.stored.origin.line ?? 0);

function input(name: string, line = 1): StoredResource {
  return {
    resource: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' } },
    origin: { source: 'test', line },
  };
}

function fullSort(list: readonly StoredResource[]): StoredResource[] {
  return list
    .map((stored) => ({ stored, key: keyOfResource(stored.resource) }))
    .sort(compare)
    .map((k) => k.stored);
}

describe('KeptInputOrder', () => {
  it('gives the order a full sort gives, compile after compile, as inputs come and go', () => {
    const order = new KeptInputOrder();
    let list = Array.from({ length: 200 }, (_, i) => input(`s${(i * 37) % 200}`));
    const keys: string[] = [];
    const keyOf = (s: StoredResource) => {
      keys.push(s.resource.metadata.name);
      return keyOfResource(s.resource);
    };
    expect(order.sort(list, keyOf, compare).map((k) => k.stored)).toEqual(fullSort(list));
    for (let step = 0; step < 30; step++) {
      keys.length = 0;
      // Replace one, remove one, add one; an unchanged input keeps its object.
      list = list.slice();
      list[step] = input(`s${step}`, 2);
      list.splice(step + 50, 1);
      list.push(input(`new${step}`));
      const sorted = order.sort(list, keyOf, compare).map((k) => k.stored);
      expect(sorted).toEqual(fullSort(list));
      expect(sorted.every((s, i) => s === fullSort(list)[i])).toBe(true);
      // Only the new objects' keys were computed.
      expect(keys.sort()).toEqual([`new${step}`, `s${step}`].sort());
    }
  });

  it('sorts in full when an object appears twice, one entry per occurrence', () => {
    const order = new KeptInputOrder();
    const a = input('a');
    const b = input('b');
    order.sort([b, a], (s) => keyOfResource(s.resource), compare);
    const sorted = order.sort([b, a, b], (s) => keyOfResource(s.resource), compare);
    expect(sorted.map((k) => k.stored)).toEqual([a, b, b]);
  });
});
