import { type IRRoute, type IRRouteConfig, type IRVirtualHost, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { clusterChange, clustersOf, KeptUses, usedClusters } from './kept-uses.js';

const clusterNames = Array.from({ length: 12 }, (_, i) => `cluster-${i}`);

describe('KeptUses', () => {
  it('answers as a fresh count after every random change, route lists shared between virtual hosts', () => {
    const random = seededRandom(15);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const list = (): IRRoute[] =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) =>
        random() < 0.2
          ? ({ name: `r${i}`, action: { kind: 'redirect', httpsRedirect: true } } as unknown as IRRoute)
          : ({
              name: `r${i}`,
              action: {
                kind: 'forward',
                clusters: [{ cluster: pick(clusterNames) }],
                ...(random() < 0.2 ? { shadows: [{ cluster: pick(clusterNames) }] } : {}),
              },
            } as unknown as IRRoute),
      );
    // A pool of route lists, so that virtual hosts of several configurations share them.
    let lists = Array.from({ length: 8 }, list);
    const config = (name: string): IRRouteConfig => ({
      name,
      virtualHosts: Array.from(
        { length: 1 + Math.floor(random() * 3) },
        (_, i): IRVirtualHost => ({ name: `v${i}`, domains: ['*'], routes: pick(lists), provenance: [] }),
      ),
      provenance: [],
    });
    const configs: Record<string, IRRouteConfig> = {};
    let next = 0;
    for (let i = 0; i < 6; i++) configs[`c${next++}`] = config(`c${next}`);
    const kept = new KeptUses();
    let unused = 0;
    for (let step = 0; step < 400; step++) {
      const roll = random();
      const names = Object.keys(configs);
      if (roll < 0.25) configs[pick(names)] = config('edited');
      else if (roll < 0.4) {
        // Made again with the same virtual hosts but one (another route list, or the same): counted by position.
        const name = pick(names);
        const virtualHosts = configs[name]!.virtualHosts.slice();
        const at = Math.floor(random() * virtualHosts.length);
        virtualHosts[at] = { ...virtualHosts[at]!, routes: random() < 0.8 ? pick(lists) : list() };
        configs[name] = { ...configs[name]!, virtualHosts };
      } else if (roll < 0.55) configs[`c${next++}`] = config('added');
      else if (roll < 0.7 && names.length > 1) delete configs[pick(names)];
      else if (roll < 0.8) lists = lists.map((l) => (random() < 0.3 ? list() : l));
      // otherwise nothing changes
      kept.update(configs);
      const fresh = new KeptUses();
      fresh.update(configs);
      const expected = new Set<string>();
      for (const c of Object.values(configs))
        for (const vh of c.virtualHosts)
          for (const r of vh.routes) {
            if (r.action.kind !== 'forward') continue;
            for (const target of [...r.action.clusters, ...(r.action.shadows ?? [])])
              expected.add(target.cluster);
          }
      // A plain compile's one set says what a fresh count says.
      const used = usedClusters(configs);
      for (const cluster of clusterNames) {
        expect(kept.uses(cluster), `step ${step} ${cluster}`).toBe(expected.has(cluster));
        expect(fresh.uses(cluster)).toBe(expected.has(cluster));
        expect(used.has(cluster)).toBe(expected.has(cluster));
        if (!expected.has(cluster)) unused++;
      }
    }
    // Some steps left clusters unused (so "not used" was checked too).
    expect(unused).toBeGreaterThan(50);
  });
});

describe('KeptUses with long route lists replaced by near copies', () => {
  const random = seededRandom(27);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const names = Array.from({ length: 60 }, (_, i) => `cluster-${i}`);
  const route = (): IRRoute =>
    ({
      name: 'r',
      action: {
        kind: 'forward',
        clusters: [{ cluster: pick(names) }],
        ...(random() < 0.1 ? { shadows: [{ cluster: pick(names) }] } : {}),
      },
    }) as unknown as IRRoute;
  /** A copy with a few routes replaced, inserted or removed (a Host's routes built again after an edit). */
  const nearCopy = (routes: readonly IRRoute[]): IRRoute[] => {
    const copy = routes.slice();
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const at = Math.floor(random() * copy.length);
      const roll = random();
      if (roll < 0.4) copy[at] = route();
      else if (roll < 0.7) copy.splice(at, 0, route());
      else if (copy.length > 1) copy.splice(at, 1);
    }
    return copy;
  };
  const used = (configs: Record<string, IRRouteConfig>) => {
    const out = new Set<string>();
    for (const c of Object.values(configs))
      for (const vh of c.virtualHosts)
        for (const r of vh.routes) {
          if (r.action.kind !== 'forward') continue;
          for (const t of [...r.action.clusters, ...(r.action.shadows ?? [])]) out.add(t.cluster);
        }
    return out;
  };

  it('clusterChange is the difference of the two lists’ cluster sets', () => {
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const before = Array.from({ length: 64 + Math.floor(random() * 60) }, route);
      const now = nearCopy(before);
      const change = clusterChange(before, now);
      if (change === undefined) continue;
      checked++;
      const a = new Set(clustersOf(before));
      const b = new Set(clustersOf(now));
      expect(new Set(change.added)).toEqual(new Set([...b].filter((c) => !a.has(c))));
      expect(new Set(change.removed)).toEqual(new Set([...a].filter((c) => !b.has(c))));
      // And the counts made for `now` give its clusters.
      expect(new Set(clustersOf(now))).toEqual(b);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers as a fresh count after every random step', () => {
    // Hosts' lists, each held by a cleartext configuration (every Host) and a TLS one (its own).
    let hostLists = Array.from({ length: 6 }, () =>
      Array.from({ length: 60 + Math.floor(random() * 40) }, route),
    );
    const configsOf = (lists: IRRoute[][]): Record<string, IRRouteConfig> => {
      const vh = (routes: IRRoute[], i: number): IRVirtualHost => ({
        name: `h${i}`,
        domains: [`h${i}`],
        routes,
        provenance: [],
      });
      const out: Record<string, IRRouteConfig> = {
        cleartext: { name: 'cleartext', virtualHosts: lists.map(vh), provenance: [] },
      };
      lists.forEach((routes, i) => {
        out[`tls/h${i}`] = { name: `tls/h${i}`, virtualHosts: [vh(routes, i)], provenance: [] };
      });
      return out;
    };
    const kept = new KeptUses();
    let previous = configsOf(hostLists);
    kept.update(previous);
    let unused = 0;
    for (let step = 0; step < 300; step++) {
      const roll = random();
      if (roll < 0.7) {
        // One or two Hosts' routes built again: the same config objects for the others.
        const next = hostLists.slice();
        for (let n = 1 + Math.floor(random() * 2); n > 0; n--) {
          const i = Math.floor(random() * next.length);
          next[i] = random() < 0.9 ? nearCopy(next[i]!) : Array.from({ length: 70 }, route);
        }
        const configs = configsOf(next);
        next.forEach((routes, i) => {
          if (routes === hostLists[i]) configs[`tls/h${i}`] = previous[`tls/h${i}`]!;
        });
        hostLists = next;
        previous = configs;
      } else if (roll < 0.8 && hostLists.length > 2) {
        hostLists = hostLists.slice(0, -1);
        previous = configsOf(hostLists);
      } else if (roll < 0.9) {
        hostLists = [...hostLists, Array.from({ length: 80 }, route)];
        previous = configsOf(hostLists);
      }
      kept.update(previous);
      const expected = used(previous);
      for (const cluster of names) {
        expect(kept.uses(cluster), `step ${step} ${cluster}`).toBe(expected.has(cluster));
        if (!expected.has(cluster)) unused++;
      }
    }
    expect(unused).toBeGreaterThan(100);
  });
});
