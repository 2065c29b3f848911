import {
  compile,
  createIncrementalCompiler,
  type IR,
  type IRFilterChain,
  type IRListener,
  type IRRoute,
  type IRRouteConfig,
  PassMemoStore,
  seededRandom,
  TypeUrl,
  type XdsResource,
} from '@attache/core';
import { describe, expect, it } from 'vitest';
import { envoyPlugin } from './envoy-plugin.js';
import { keptDanglingLists, keptSorted, loweringMemo, sortedChange, sortedFrom } from './lowering-memo.js';
import { danglingReferences } from './references.js';
import { freshInputs, installingIR, readIR } from './testing/golden.js';

/**
 * envoy.lower under an incremental compiler: a test plugin installs a given IR
 * as it is (object identity kept, as the http plugin keeps unchanged routes),
 * and every compile's result is compared with a plain compile of the same IR.
 */

function routeConfig(result: { xds: Record<string, XdsResource[]> }, name: string): XdsResource {
  const found = result.xds[TypeUrl.RouteConfiguration]?.find((r) => r.name === name);
  if (!found) throw new Error(`no RouteConfiguration ${name}`);
  return found;
}

function routesOf(resource: XdsResource): unknown[] {
  const vhs = (resource.resource as { virtual_hosts: Array<{ routes: unknown[] }> }).virtual_hosts;
  return vhs.flatMap((vh) => vh.routes);
}

describe('envoy.lower with ctx.memo', () => {
  it('reuses unchanged routes and route configurations, and gives what a full compile gives', () => {
    const base = readIR('full-ir.in.yaml');
    let ir = base;
    const plugins = [installingIR(() => ir), envoyPlugin];
    const incremental = createIncrementalCompiler(plugins);
    const first = incremental.compile(freshInputs());

    // Same IR objects, new compile: route JSON and the whole RouteConfiguration are the earlier objects.
    const again = incremental.compile(freshInputs());
    expect(again).not.toBe(first);
    for (const name of Object.keys(base.routeConfigs)) {
      expect(routeConfig(again, name).resource).toBe(routeConfig(first, name).resource);
    }

    // One route of one configuration changes (a new object): that configuration is lowered again,
    // its other routes keep their JSON objects, and the other configuration stays as it was.
    const [changedName, keptName] = Object.keys(base.routeConfigs) as [string, string];
    const changedConfig = base.routeConfigs[changedName]!;
    const vh = changedConfig.virtualHosts[0]!;
    const edited: IRRoute = { ...vh.routes[0]!, name: `${vh.routes[0]!.name}-edited` };
    ir = {
      ...base,
      routeConfigs: {
        ...base.routeConfigs,
        [changedName]: {
          ...changedConfig,
          virtualHosts: [
            { ...vh, routes: [edited, ...vh.routes.slice(1)] },
            ...changedConfig.virtualHosts.slice(1),
          ],
        },
      },
    };
    const edit = incremental.compile(freshInputs());
    expect(routeConfig(edit, keptName).resource).toBe(routeConfig(again, keptName).resource);
    expect(routeConfig(edit, changedName).resource).not.toBe(routeConfig(again, changedName).resource);
    expect(routeConfig(edit, changedName).version).not.toBe(routeConfig(again, changedName).version);
    const before = routesOf(routeConfig(again, changedName));
    const after = routesOf(routeConfig(edit, changedName));
    expect(after.filter((route) => before.includes(route))).toHaveLength(before.length - 1);

    // Byte for byte what a full compile of the same IR (and the same inputs) gives.
    const same = freshInputs();
    const mine = incremental.compile(same);
    const fresh = compile(same, plugins);
    expect(JSON.stringify({ xds: mine.xds, diagnostics: mine.diagnostics })).toBe(
      JSON.stringify({ xds: fresh.xds, diagnostics: fresh.diagnostics }),
    );
  });
});

describe('keptDanglingLists', () => {
  const route = (name: string, cluster: string): IRRoute => ({
    name,
    match: { path: { kind: 'prefix', value: `/${name}/` } },
    action: { kind: 'forward', clusters: [{ cluster, weight: 100 }] },
    provenance: [],
  });
  const list = [route('a', 'c1'), route('b', 'c2')];
  const finding = [{ refs: [], message: 'c2 missing' }];

  it('keeps a list finding while each cluster it names is emitted as it was', () => {
    const memo = loweringMemo(new PassMemoStore(() => {}), '');
    keptDanglingLists(memo, new Set(['c1']), new Set()).set(list, finding);
    // Another cluster came: the list names neither it nor a changed one.
    expect(keptDanglingLists(memo, new Set(['c1', 'c9']), new Set()).get(list)).toBe(finding);
    // c2 is emitted now: the finding is stale.
    expect(keptDanglingLists(memo, new Set(['c1', 'c2']), new Set()).get(list)).toBeUndefined();
    // c1 went away: stale too.
    expect(keptDanglingLists(memo, new Set([]), new Set()).get(list)).toBeUndefined();
    // Refused clusters changed: everything is forgotten.
    expect(keptDanglingLists(memo, new Set(['c1']), new Set(['c7'])).get(list)).toBeUndefined();
  });

  it('gives what danglingReferences finds without a memo, while names come and go and objects change', () => {
    const random = seededRandom(15);
    const int = (n: number) => Math.floor(random() * n);
    const clusterNames = ['c0', 'c1', 'c2', 'c3', 'c4'];
    const secretNames = ['s0', 's1', 's2'];
    const configNames = ['r0', 'r1'];
    const ref = (name: string) => ({ apiVersion: 'v1', kind: 'Test', namespace: 'default', name });
    const newList = () =>
      Array.from({ length: 1 + int(3) }, (_, i) => route(`r${int(100)}-${i}`, clusterNames[int(5)]!));
    // HTTP chains name a route configuration; TCP chains (one in four) clusters.
    const newChain = (name: string, i: number) =>
      int(4) === 0
        ? {
            kind: 'tcp',
            name: `${name}-chain-${i}`,
            clusters: [{ cluster: clusterNames[int(5)]! }],
            tls: { certificateSecret: secretNames[int(3)]! },
            provenance: [ref(`${name}-${i}`)],
          }
        : {
            kind: 'http',
            name: `${name}-chain-${i}`,
            routeConfigName: configNames[int(2)]!,
            tls: { certificateSecret: secretNames[int(3)]! },
            provenance: [ref(`${name}-${i}`)],
          };
    const newListener = (name: string) => ({
      name,
      filterChains: Array.from({ length: 1 + int(3) }, (_, i) => newChain(name, i)),
    });
    // A new listener object whose chains are the same objects but one (a listener of many Hosts).
    const oneChainNew = (l: ReturnType<typeof newListener>) => ({
      ...l,
      filterChains: [...l.filterChains.slice(0, -1), newChain(l.name, l.filterChains.length - 1)],
    });
    let lists = [newList(), newList(), newList()];
    let listeners = [newListener('l0'), newListener('l1')];
    const memo = loweringMemo(new PassMemoStore(() => {}), '');
    const some = (names: string[]) => new Set(names.filter(() => random() < 0.8));
    let emitted = new Map([
      [TypeUrl.Cluster, some(clusterNames)],
      [TypeUrl.Secret, some(secretNames)],
      [TypeUrl.RouteConfiguration, some(configNames)],
    ]);
    let reused = 0;
    let chainsReused = 0;
    let configsReused = 0;
    let config:
      | { name: string; provenance: never[]; virtualHosts: Array<{ name: string; routes: IRRoute[] }> }
      | undefined;
    // Objects of earlier compiles, brought back now and then: their findings were checked some
    // compiles ago, while names came and went since.
    const history: Array<{
      lists: IRRoute[][];
      listeners: ReturnType<typeof newListener>[];
      config: typeof config;
    }> = [];
    let single: typeof config;
    let restoredReused = 0;
    let restored = false;
    for (let step = 0; step < 600; step++) {
      const edit = random();
      history.push({ lists, listeners, config });
      restored = false;
      // Most compiles change nothing the findings read (the fast path); others change one thing.
      if (edit < 0.08 && history.length > 4) {
        const back = history[history.length - 2 - int(Math.min(history.length - 1, 12))]!;
        lists = back.lists;
        listeners = back.listeners;
        config = back.config;
        restored = true;
      } else if (edit < 0.15) lists = lists.map((l) => (random() < 0.3 ? newList() : l));
      else if (edit < 0.25) listeners = listeners.map((l) => (random() < 0.5 ? newListener(l.name) : l));
      else if (edit < 0.35) listeners = listeners.map((l) => (random() < 0.5 ? oneChainNew(l) : { ...l }));
      else if (edit < 0.5) {
        const kinds = [TypeUrl.Cluster, TypeUrl.Secret, TypeUrl.RouteConfiguration] as const;
        const names = [clusterNames, secretNames, configNames];
        const k = int(3);
        emitted = new Map(emitted);
        emitted.set(kinds[k]!, some(names[k]!));
      } else emitted = new Map([...emitted].map(([type, names]) => [type, new Set(names)]));
      const refused = new Set(random() < 0.05 ? ['c4'] : []);
      // The configuration object is kept while its lists are (as the http plugin keeps it).
      if (config === undefined || config.virtualHosts.some((vh, i) => vh.routes !== lists[i])) {
        config = {
          name: 'r0',
          provenance: [],
          virtualHosts: lists.map((routes, i) => ({ name: `vh${i}`, routes })),
        };
      }
      // A configuration of one virtual host (a Host's TLS table), kept while its list is.
      if (single === undefined || single.virtualHosts[0]!.routes !== lists[0]) {
        single = { name: 'r1', provenance: [], virtualHosts: [{ name: 'vh', routes: lists[0]! }] };
      }
      const ir = {
        listeners: Object.fromEntries(listeners.map((l) => [l.name, l])),
        routeConfigs: { r0: config, r1: single },
        clusters: {},
        endpoints: {},
        secrets: {},
        ext: {},
      } as unknown as IR;
      const kept = keptDanglingLists(memo, emitted.get(TypeUrl.Cluster), refused, emitted);
      const counting = {
        listener: (listener: IRListener) => {
          const found = kept.listener(listener);
          if (found !== undefined) reused++;
          return found;
        },
        setListener: kept.setListener,
        chain: (chain: IRFilterChain) => {
          const found = kept.chain!(chain);
          if (found !== undefined) chainsReused++;
          return found;
        },
        setChain: kept.setChain!,
      };
      const countingLists = {
        ...kept,
        config: (c: IRRouteConfig) => {
          const found = kept.config!(c);
          if (found !== undefined) configsReused++;
          return found;
        },
      };
      const before = configsReused + reused;
      const got = danglingReferences(ir, emitted, refused, countingLists, counting);
      expect(got, `step ${step}`).toEqual(danglingReferences(ir, emitted, refused));
      if (restored && configsReused + reused > before) restoredReused++;
    }
    // Findings checked compiles ago were reused for objects brought back.
    expect(restoredReused).toBeGreaterThan(5);
    // The fast paths were taken (a listener's, a chain's, a configuration's findings reused).
    expect(reused).toBeGreaterThan(200);
    expect(chainsReused).toBeGreaterThan(10);
    expect(configsReused).toBeGreaterThan(100);
  });
});

describe('keptSorted', () => {
  const byName = <T extends { name: string }>(values: T[]) =>
    values.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  it('gives the sort of every compile: the same objects, objects edited in place, names added and gone', () => {
    const memo = loweringMemo(new PassMemoStore(() => {}), '');
    let values = ['m', 'c', 'x', 'a', 'q'].map((name) => ({ name, v: 0 }));
    const first = keptSorted(memo, 'slot', values, byName);
    expect(first.map((x) => x.name)).toEqual(['a', 'c', 'm', 'q', 'x']);
    // The same objects: the same array.
    expect(keptSorted(memo, 'slot', values.slice(), byName)).toBe(first);
    expect(sortedChange(memo, 'slot')).toEqual([]);
    // Two objects replaced under the same names (a cluster's provenance changed): this compile's objects.
    values = values.map((x) => (x.name === 'c' || x.name === 'x' ? { name: x.name, v: 1 } : x));
    const edited = keptSorted(memo, 'slot', values, byName);
    expect(edited).toEqual(byName(values.slice()));
    for (const x of edited) expect(values).toContain(x);
    // What changed: the sorted positions of c and x, whose objects are new.
    expect(sortedChange(memo, 'slot')).toEqual([1, 4]);
    expect([1, 4].map((p) => edited[p]!.v)).toEqual([1, 1]);
    // A name replaced by another at the same position, one added: sorted again.
    values = [...values.map((x) => (x.name === 'm' ? { name: 'b', v: 2 } : x)), { name: 'z', v: 3 }];
    const previous = keptSorted(memo, 'slot', values.slice(0, 0).concat(edited), byName);
    const merged = keptSorted(memo, 'slot', values, byName);
    expect(merged).toEqual(byName(values.slice()));
    expect(sortedChange(memo, 'slot')).toBeUndefined();
    // Merged from the last order: each position's index there, or -1 for the new objects (b, z).
    const from = sortedFrom(memo, 'slot', previous)!;
    expect(from).toHaveLength(merged.length);
    merged.forEach((x, p) => {
      if (from[p]! >= 0) expect(previous[from[p]!]).toBe(x);
      else expect(previous).not.toContain(x);
    });
    expect(from.filter((i) => i < 0)).toHaveLength(2);
    expect(sortedFrom(memo, 'slot', merged)).toBeUndefined();
    values = values.map((x) => (x.name === 'a' ? { name: 'y', v: 4 } : x));
    expect(keptSorted(memo, 'slot', values, byName)).toEqual(byName(values.slice()));
  });

  it('gives a full sort of every compile over random steps, and where each object was before', () => {
    const random = seededRandom(7);
    const int = (n: number) => Math.floor(random() * n);
    let serial = 0;
    // Names mostly distinct, now and then one already there (a tie a full sort decides).
    const item = () => ({ name: random() < 0.02 ? `n${int(serial + 1)}` : `n${serial++}`, v: serial });
    const memo = loweringMemo(new PassMemoStore(() => {}), '');
    let values = Array.from({ length: 300 }, item);
    let sorted = keptSorted(memo, 'slot', values, byName);
    let merges = 0;
    for (let step = 0; step < 500; step++) {
      const next = values.slice();
      const at = int(next.length + 1);
      const kind = int(9);
      if (kind === 0) next.splice(at, 0, item());
      else if (kind === 1) next.splice(at, 1);
      else if (kind === 2) next.splice(at, 1 + int(3), ...Array.from({ length: int(4) }, item));
      else if (kind === 3 && next.length > 0) {
        // Edited in place: a new object under the same name.
        const i = Math.min(at, next.length - 1);
        next[i] = { name: next[i]!.name, v: -step };
      } else if (kind === 4 && next.length > 0) {
        // An object moved in the values' order.
        const [moved] = next.splice(Math.min(at, next.length - 1), 1);
        next.splice(int(next.length + 1), 0, moved!);
      } else if (kind === 5 && random() < 0.1 && next.length > 0) next.push(next[int(next.length)]!);
      else if (kind === 6 && random() < 0.1)
        next.splice(0, next.length, ...Array.from({ length: 250 }, item));
      else if (kind === 7 && next.length > 0) {
        // Objects replaced under their names here and there, and one added elsewhere (a Mapping
        // added whose service's cluster is new, while clusters it shares get new provenance).
        for (let k = 0; k < 1 + int(3); k++) {
          const i = int(next.length);
          next[i] = { name: next[i]!.name, v: -step };
        }
        next.splice(int(next.length + 1), 0, item());
      }
      const got = keptSorted(memo, 'slot', next, byName);
      const want = byName(next.slice());
      expect(got.length, `step ${step}`).toBe(want.length);
      expect(
        got.every((x, i) => x === want[i]),
        `step ${step}`,
      ).toBe(true);
      const from = sortedFrom(memo, 'slot', sorted);
      if (from !== undefined) {
        merges++;
        // (-1: a new object, or one that moved in the values' order and is looked up again.)
        got.forEach((x, p) => {
          if (from[p]! >= 0) expect(sorted[from[p]!]).toBe(x);
          else if (kind !== 4) expect(sorted).not.toContain(x);
        });
      }
      const change = sortedChange(memo, 'slot');
      if (change !== undefined) {
        for (let p = 0; p < got.length; p++) expect(got[p] !== sorted[p]).toBe(change.includes(p));
      }
      values = next;
      sorted = got;
    }
    // Objects coming and going were merged from the last order (not sorted anew) most of the time.
    expect(merges).toBeGreaterThan(150);
  });
});
