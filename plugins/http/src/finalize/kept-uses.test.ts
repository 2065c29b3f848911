import { type IRRoute, type IRRouteConfig, type IRVirtualHost, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { KeptUses } from './kept-uses.js';

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
      for (const cluster of clusterNames) {
        expect(kept.uses(cluster), `step ${step} ${cluster}`).toBe(expected.has(cluster));
        expect(fresh.uses(cluster)).toBe(expected.has(cluster));
        if (!expected.has(cluster)) unused++;
      }
    }
    // Some steps left clusters unused (so "not used" was checked too).
    expect(unused).toBeGreaterThan(50);
  });
});
