import type { IRRoute, ResourceRef } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { KeptProvenance, notePartsDelta } from './kept-provenance.js';
import type { ResourcePart } from './lower/common.js';
import { RoutePart } from './lower/route-part.js';
import { unionProvenance } from './provenance-union.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const ref = (kind: string, name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind,
  namespace: 'default',
  name,
});

describe('KeptProvenance', () => {
  it('gives unionProvenance of every compile while route lists, refs and ref objects change', () => {
    const random = lcg(15);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    // Mappings (an edit makes a new ref object under the same key), Hosts, a Listener.
    let mappings = Array.from({ length: 60 }, (_, i) => ref('Mapping', `m${i}`));
    const hosts = Array.from({ length: 8 }, (_, i) => ref('Host', `h${i}`));
    const listener = ref('Listener', 'l');
    const route = (name: string): IRRoute => ({
      name,
      match: { path: { kind: 'prefix', value: '/' } },
      action: { kind: 'forward', clusters: [{ cluster: 'c', weight: 100 }] },
      provenance: [pick(mappings), ...(random() < 0.2 ? [pick(mappings)] : [])],
    });
    const list = () => Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => route(`r${i}`));
    let lists = hosts.map(() => list());
    const kept = new KeptProvenance();
    let patchedSteps = 0;
    for (let step = 0; step < 400; step++) {
      const edit = random();
      if (edit < 0.4) lists[Math.floor(random() * lists.length)] = list();
      else if (edit < 0.55) {
        // A Mapping edited: a new ref object of the same key, in a new list.
        const at = Math.floor(random() * mappings.length);
        mappings = mappings.map((m, i) => (i === at ? ref('Mapping', m.name) : m));
        lists[Math.floor(random() * lists.length)] = list();
      } else if (edit < 0.6) lists = lists.slice(1);
      else if (edit < 0.65) lists = [...lists, list()];
      // Virtual host parts (loose refs) and whole route lists, now and then a list cut short.
      const parts: ResourcePart[] = [];
      lists.forEach((routes, v) => {
        parts.push({
          pointer: `/virtual_hosts/${v}`,
          label: 'vh',
          droppable: false,
          provenance: [hosts[v % 8]!],
        });
        const count = random() < 0.05 ? Math.max(0, routes.length - 1) : routes.length;
        for (let i = 0; i < count; i++) parts.push(new RoutePart(v, i, routes));
      });
      const own = random() < 0.1 ? [listener, pick(mappings)] : [listener];
      const got = kept.union(own, parts);
      const expected = unionProvenance(own, parts);
      expect(got).toEqual(expected);
      // The same objects: the union keeps which ref object stands for each key.
      for (let i = 0; i < got.length; i++) expect(got[i]).toBe(expected[i]);
      if (edit < 0.4) patchedSteps++;
    }
    expect(patchedSteps).toBeGreaterThan(100);
    // Most compiles were patched, not computed in full (edited refs of lists still held are not).
    expect(kept.patches).toBeGreaterThan(200);
  });

  it('patches a list replaced by one sharing most of its routes (a Mapping edited, added or removed)', () => {
    const random = lcg(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    let mappings = Array.from({ length: 400 }, (_, i) => ref('Mapping', `m${i}`));
    const hosts = Array.from({ length: 4 }, (_, i) => ref('Host', `h${i}`));
    const route = (name: string): IRRoute => ({
      name,
      match: { path: { kind: 'prefix', value: '/' } },
      action: { kind: 'forward', clusters: [{ cluster: 'c', weight: 100 }] },
      // Now and then two routes of one Mapping, or a route of two (a shadow): counts above one.
      provenance: [pick(mappings), ...(random() < 0.1 ? [pick(mappings)] : [])],
    });
    let lists = hosts.map((_, h) => Array.from({ length: 150 }, (_, i) => route(`h${h}-r${i}`)));
    const kept = new KeptProvenance();
    let n = 0;
    for (let step = 0; step < 300; step++) {
      const h = Math.floor(random() * lists.length);
      const next = lists[h]!.slice();
      const at = Math.floor(random() * next.length);
      const edit = random();
      if (edit < 0.3) next.splice(at, 1);
      else if (edit < 0.6) next.splice(at, 0, route(`new-${n++}`));
      else if (edit < 0.8) next[at] = route(`changed-${n++}`);
      lists = lists.map((list, i) => (i === h ? next : list));
      if (edit >= 0.8) {
        // The Mapping behind a route edited: a new ref object of the same key, in every route of it.
        const old = next[at]!.provenance[0]!;
        const edited = ref('Mapping', old.name);
        mappings = mappings.map((m) => (m === old ? edited : m));
        lists = lists.map((list) =>
          list.some((r) => r.provenance.includes(old))
            ? list.map((r) =>
                r.provenance.includes(old)
                  ? { ...r, provenance: r.provenance.map((p) => (p === old ? edited : p)) }
                  : r,
              )
            : list,
        );
      }
      const parts: ResourcePart[] = [];
      lists.forEach((routes, v) => {
        parts.push({
          pointer: `/virtual_hosts/${v}`,
          label: 'vh',
          droppable: false,
          provenance: [hosts[v]!],
        });
        for (let i = 0; i < routes.length; i++) parts.push(new RoutePart(v, i, routes));
      });
      const got = kept.union([], parts);
      const expected = unionProvenance([], parts);
      expect(got).toEqual(expected);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBe(expected[i]);
    }
    // Every compile after the first is patched, the edited refs included.
    expect(kept.patches).toBe(299);
  });

  it('patches from a parts delta (virtual hosts replaced) what a full union gives, and only then', () => {
    const random = lcg(21);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    let mappings = Array.from({ length: 300 }, (_, i) => ref('Mapping', `m${i}`));
    const hosts = Array.from({ length: 6 }, (_, i) => ref('Host', `h${i}`));
    const route = (name: string): IRRoute => ({
      name,
      match: { path: { kind: 'prefix', value: '/' } },
      action: { kind: 'forward', clusters: [{ cluster: 'c', weight: 100 }] },
      provenance: [pick(mappings), ...(random() < 0.1 ? [pick(mappings)] : [])],
    });
    const newList = () => Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => route(`r${i}`));
    // A virtual host's parts: itself, then each route of its list (as lowering makes them).
    const vhParts = (v: number, routes: IRRoute[]): ResourcePart[] => [
      { pointer: `/virtual_hosts/${v}`, label: 'vh', droppable: false, provenance: [hosts[v]!] },
      ...routes.map((_, i) => new RoutePart(v, i, routes)),
    ];
    let lists = hosts.map(() => newList());
    let byHost = lists.map((routes, v) => vhParts(v, routes));
    let parts = byHost.flat();
    const own = [ref('Listener', 'l')];
    const kept = new KeptProvenance();
    kept.union(own, parts);
    for (let step = 0; step < 300; step++) {
      const changed = [
        ...new Set([Math.floor(random() * hosts.length), Math.floor(random() * hosts.length)]),
      ];
      if (random() < 0.2) {
        // A Mapping edited: a new ref object of the same key, in every route of it (new lists).
        const at = Math.floor(random() * mappings.length);
        const old = mappings[at]!;
        const edited = ref('Mapping', old.name);
        mappings = mappings.map((m) => (m === old ? edited : m));
        lists.forEach((routes, v) => {
          if (routes.some((r) => r.provenance.includes(old)) && !changed.includes(v)) changed.push(v);
        });
        lists = lists.map((routes) =>
          routes.map((r) =>
            r.provenance.includes(old)
              ? { ...r, provenance: r.provenance.map((x) => (x === old ? edited : x)) }
              : r,
          ),
        );
      } else {
        for (const v of changed) {
          const next = lists[v]!.slice();
          next.splice(Math.floor(random() * (next.length + 1)), random() < 0.5 ? 1 : 0, route(`new-${step}`));
          lists[v] = next;
        }
      }
      const nextByHost = byHost.map((run, v) => (changed.includes(v) ? vhParts(v, lists[v]!) : run));
      const nextParts = nextByHost.flat();
      notePartsDelta(
        nextParts,
        parts,
        changed.map((v) => byHost[v]!),
        changed.map((v) => nextByHost[v]!),
      );
      byHost = nextByHost;
      parts = nextParts;
      // Now and then a union of the parts without one route (a route left out): no delta applies then.
      const given = random() < 0.1 ? parts.filter((_, i) => i !== 1) : parts;
      const got = kept.union(own, given);
      const expected = unionProvenance(own, given);
      expect(got).toEqual(expected);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBe(expected[i]);
    }
    expect(kept.deltaPatches).toBeGreaterThan(200);
  });
});
