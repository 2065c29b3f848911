import {
  compile,
  createIncrementalCompiler,
  HttpModelExt,
  type ResourceRef,
  readExt,
  type StoredResource,
  seededRandom,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpListener, storedResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import { ExtKey, type HttpMapping } from '../model.js';
import { type KeptHttpModel, keptRouteSources } from './http-model.js';

/** A stand-in HttpMapping: only what route sources read. */
function fakeMapping(i: number): HttpMapping {
  const name = `m${String(i).padStart(3, '0')}`;
  return {
    ref: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name },
    namespace: 'default',
    spec: { prefix: `/${name}/` },
    labels: {},
    routeNames: [],
  } as unknown as HttpMapping;
}

describe('keptRouteSources', () => {
  it('given the renamed Mappings, equals a fresh computation after every random step', () => {
    const random = seededRandom(9);
    const present = new Map<number, HttpMapping>();
    for (let i = 0; i < 200; i++) if (random() < 0.6) present.set(i, fakeMapping(i));
    const list = () => [...present].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    const kept: KeptHttpModel = {};
    keptRouteSources(kept, list());
    let patchedRenames = 0;
    for (let step = 0; step < 400; step++) {
      const renamed = new Set<HttpMapping>();
      for (let n = Math.floor(random() * 4); n >= 0; n--) {
        const i = Math.floor(random() * 200);
        const r = random();
        const m = present.get(i);
        if (m === undefined) {
          const added = fakeMapping(i);
          present.set(i, added);
          renamed.add(added);
        } else if (r < 0.3) present.delete(i);
        else if (r < 0.6) {
          // A kept Mapping given a new route name list (its bucket was grouped again).
          m.routeNames = [`route-${step}`];
          renamed.add(m);
          patchedRenames++;
        } else if (r < 0.7) {
          // Named in `renamed`, route names unchanged: its source stays.
          renamed.add(m);
        } else {
          // A Mapping edited: a new object with new route names.
          const edited = fakeMapping(i);
          present.set(i, edited);
          renamed.add(edited);
        }
      }
      const mappings = list();
      for (const m of renamed) if (!mappings.includes(m)) renamed.delete(m);
      const sources = keptRouteSources(kept, mappings, renamed);
      expect(sources.length, `step ${step}`).toBe(mappings.length);
      const wrong = mappings.findIndex(
        (m, i) =>
          sources[i]!.ref !== m.ref ||
          sources[i]!.routeNames !== m.routeNames ||
          sources[i]!.labels !== m.labels,
      );
      expect(wrong, `step ${step}`).toBe(-1);
    }
    expect(patchedRenames).toBeGreaterThan(100);
  });
});

const listener = httpListener();
const host = (name: string) =>
  storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Host',
    metadata: { name, namespace: 'default' },
    spec: { hostname: `${name}.example.com`, requestPolicy: { insecure: { action: 'Route' } } },
  });
const hosts = [host('a'), host('b'), host('c')];
// One object per content (a store keeps an unchanged resource's object; ingest keeps its HttpMapping).
const made = new Map<string, StoredResource>();
const mapping = (i: number, version: number, hostname: string) => {
  const key = `${i} ${version} ${hostname}`;
  let stored = made.get(key);
  if (stored === undefined) {
    stored = storedMapping(i, version, hostname);
    made.set(key, stored);
  }
  return stored;
};
const storedMapping = (i: number, version: number, hostname: string) =>
  storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: {
      name: `m${String(i).padStart(2, '0')}`,
      namespace: 'default',
      labels: { v: String(version % 3) },
    },
    spec: { prefix: `/p${i % 7}/`, service: `svc-${i}-${version}`, hostname },
  });

const view = (sources: ReadonlyArray<{ ref: ResourceRef; routeNames: readonly string[]; labels: unknown }>) =>
  sources.map((s) => ({
    ref: `${s.ref.namespace}/${s.ref.name}`,
    routeNames: [...s.routeNames],
    labels: s.labels,
  }));

describe('the published route sources under an incremental compiler', () => {
  it('equal a full compile after every random edit', () => {
    const random = seededRandom(21);
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    const hostnames = ['a.example.com', 'b.example.com', '*', 'c.example.com'];
    const present = new Map<number, { version: number; hostname: string }>();
    for (let i = 0; i < 40; i++)
      if (random() < 0.7) present.set(i, { version: 0, hostname: hostnames[i % hostnames.length]! });
    const inputs = () => [
      listener,
      ...hosts,
      ...[...present].map(([i, m]) => mapping(i, m.version, m.hostname)),
    ];
    for (let step = 0; step < 150; step++) {
      for (let n = 1 + Math.floor(random() * 2); n > 0; n--) {
        const i = Math.floor(random() * 40);
        const r = random();
        const m = present.get(i);
        if (m === undefined) present.set(i, { version: step, hostname: hostnames[Math.floor(r * 4)]! });
        else if (r < 0.3) present.delete(i);
        else if (r < 0.8) m.version = step;
        else m.hostname = hostnames[Math.floor(random() * 4)]!;
      }
      const list = inputs();
      const ir = incremental.compile(list).ir;
      const got = readExt(ir, HttpModelExt)!.routeSources;
      const want = readExt(compile(list, [httpPlugin, envoyPlugin]).ir, HttpModelExt)!.routeSources;
      expect(view(got), `step ${step}`).toEqual(view(want));
      // A plain compile's route sources are its HttpMappings, written as JSON as the route sources
      // an incremental compiler makes (keys in the same order, the same values).
      expect(JSON.stringify(want), `step ${step}`).toBe(JSON.stringify(got));
      // The lists themselves: a source holds its Mapping's route name list, which later compiles extend.
      const mappings = ir.ext[ExtKey.mappings] as HttpMapping[];
      expect(
        mappings.findIndex((m, i) => got[i]!.routeNames !== m.routeNames),
        `step ${step}`,
      ).toBe(-1);
    }
  });
});
