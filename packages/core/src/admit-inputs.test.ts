import { describe, expect, it } from 'vitest';
import { admitInputs, compareKeyed, invalidEnvelope } from './admit-inputs.js';
import type { DiagnosticInput } from './diagnostics.js';
import { KeptInputOrder } from './incremental-inputs.js';
import type { Pipeline } from './pipeline.js';
import { keyOfResource, kindOf, type StoredResource } from './resource.js';
import { seededRandom } from './seeded-random.js';

/** Owns two kinds; a third (`example.io/Gadget`) is unknown to it. */
const pipeline = {
  owners: new Map([
    ['example.io/Widget', 'widgets'],
    ['Secret', 'core'],
  ]),
  kindPlugins: new Map(),
  consumed: new Set<string>(),
} as unknown as Pipeline;

/** Inputs with invalid envelopes, repeated keys (and repeated objects) at random places. */
function randomInputs(random: () => number, count: number): StoredResource[] {
  const list: StoredResource[] = [];
  const kinds = [
    ['example.io/v1', 'Widget'],
    ['v1', 'Secret'],
    ['example.io/v1', 'Gadget'],
  ] as const;
  while (list.length < count) {
    const r = random();
    if (r < 0.05 && list.length > 0) {
      list.push(list[Math.floor(random() * list.length)]!); // the same object again
      continue;
    }
    const [apiVersion, kind] = kinds[Math.floor(random() * kinds.length)]!;
    const name = `n${Math.floor(random() * count * 2)}`;
    const resource: Record<string, unknown> =
      r < 0.1
        ? { apiVersion, kind, metadata: {} } // no name
        : r < 0.13
          ? { kind, metadata: { name } } // no apiVersion
          : { apiVersion, kind, metadata: { name, namespace: random() < 0.5 ? 'a' : 'b' }, spec: { r } };
    list.push({
      resource: resource as unknown as StoredResource['resource'],
      origin: { source: 'test', file: random() < 0.5 ? 'a.yaml' : 'b.yaml', line: list.length + 1 },
    });
  }
  return list;
}

/** admitInputs written plainly: filter, sort with the comparator, drop repeated keys. */
function plainAdmission(resources: readonly StoredResource[]) {
  const reports: [string, StoredResource][] = [];
  const valid = resources.filter((stored) => {
    const problem = invalidEnvelope(stored);
    if (problem) reports.push([problem.code, stored]);
    return problem === undefined;
  });
  const sorted = valid.map((stored) => ({ stored, key: keyOfResource(stored.resource) })).sort(compareKeyed);
  const entries: { stored: StoredResource; key: string; kind: string }[] = [];
  for (const entry of sorted) {
    if (entries.length > 0 && entries.at(-1)!.key === entry.key) {
      reports.push(['RESOURCE_DUPLICATE', entry.stored]);
      continue;
    }
    const kind = kindOf(entry.stored.resource);
    if (!pipeline.owners.has(kind)) reports.push(['unhandled', entry.stored]);
    entries.push({ ...entry, kind });
  }
  const byKind = new Map<string, StoredResource[]>();
  for (const { stored, kind } of entries) byKind.set(kind, [...(byKind.get(kind) ?? []), stored]);
  return { entries, inputs: entries.map((e) => e.stored), byKind, reports };
}

describe('admitInputs', () => {
  it('admits as the plain filter, sort and dedupe do, with and without a kept order (random, fixed seed)', () => {
    const random = seededRandom(17_2026);
    let invalid = 0;
    let duplicates = 0;
    for (let round = 0; round < 300; round++) {
      const resources = randomInputs(random, Math.floor(random() * (random() < 0.2 ? 300 : 40)));
      const expected = plainAdmission(resources);
      invalid += expected.reports.filter(([code]) => code === 'RESOURCE_INVALID').length;
      duplicates += expected.reports.filter(([code]) => code === 'RESOURCE_DUPLICATE').length;
      for (const kept of [undefined, new KeptInputOrder()]) {
        const reports: [string, StoredResource][] = [];
        // An unowned kind is reported as unknown or misspelled (reportUnhandled decides which).
        const report = (d: DiagnosticInput, stored: StoredResource) =>
          reports.push([d.code.startsWith('RESOURCE_KIND_') ? 'unhandled' : d.code, stored]);
        const input = [...resources];
        const { admitted, duplicates: repeated } = admitInputs(input, pipeline, report, kept);
        expect(admitted.inputs).toEqual(expected.inputs);
        expect(admitted.inputs.every((stored, i) => stored === expected.inputs[i])).toBe(true);
        expect(admitted.entries.map((e) => [e.key, e.kind])).toEqual(
          expected.entries.map((e) => [e.key, e.kind]),
        );
        expect(admitted.entries.every((e, i) => e.stored === admitted.inputs[i])).toBe(true);
        expect([...admitted.byKind.keys()].sort()).toEqual([...expected.byKind.keys()].sort());
        for (const [kind, list] of expected.byKind)
          expect(admitted.byKind.get(kind)!.every((stored, i) => stored === list[i])).toBe(true);
        expect(reports.map(([code, stored]) => [code, resources.indexOf(stored)])).toEqual(
          expected.reports.map(([code, stored]) => [code, resources.indexOf(stored)]),
        );
        expect(repeated).toBe(expected.reports.some(([code]) => code === 'RESOURCE_DUPLICATE'));
        // The caller's list is read, never changed.
        expect(input).toEqual(resources);
      }
    }
    expect(invalid).toBeGreaterThan(100);
    expect(duplicates).toBeGreaterThan(100);
  });
});
