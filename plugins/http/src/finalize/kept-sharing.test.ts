import { type IRRouteConfig, type IRVirtualHost, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { KeptSharing } from './kept-sharing.js';
import { deepEqual } from './share-routes.js';

// Few virtual host names, so that signatures collide and tables differ only deeper (route counts).
const vhost = (name: string, routes: number): IRVirtualHost => ({
  name,
  domains: [`${name}.example.com`],
  routes: Array.from({ length: routes }, (_, i) => ({ name: `r${i}` })) as unknown as IRVirtualHost['routes'],
  provenance: [],
});
const signatureOf = (c: IRRouteConfig) => c.virtualHosts.map((v) => v.name).join(',');
const same = (a: IRRouteConfig, b: IRRouteConfig) => deepEqual(a.virtualHosts, b.virtualHosts);
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The classes as name lists, in a canonical order. */
const shape = (classes: Iterable<{ members: IRRouteConfig[] }>) =>
  [...classes].map((c) => c.members.map((m) => m.name)).sort((a, b) => byName(a[0]!, b[0]!));

describe('KeptSharing', () => {
  it('gives the classes of a full classing after every random change, patching when it can', () => {
    const random = seededRandom(15);
    const config = (name: string): IRRouteConfig => ({
      name,
      virtualHosts: [vhost(random() < 0.5 ? 'a' : 'b', Math.floor(random() * 3))],
      provenance: [],
    });
    const configs: Record<string, IRRouteConfig> = {};
    let next = 0;
    for (let i = 0; i < 30; i++) {
      const name = `c${next++}`;
      configs[name] = config(name);
    }
    const kept = new KeptSharing(signatureOf, same);
    let rebuilds = 0;
    // The owned names in the order the build wrote them: a new one anywhere, two swapped now and then.
    let order = Object.keys(configs);
    for (let step = 0; step < 300; step++) {
      const names = order;
      const roll = random();
      const pick = names[Math.floor(random() * names.length)]!;
      if (roll < 0.55) configs[pick] = config(pick);
      else if (roll < 0.7) {
        const name = `c${next++}`;
        configs[name] = config(name);
        order = order.slice();
        order.splice(Math.floor(random() * (order.length + 1)), 0, name);
      } else if (roll < 0.8 && names.length > 5) {
        delete configs[pick];
        order = order.filter((n) => n !== pick);
      } else if (roll < 0.85)
        configs[pick] = { ...configs[pick]! }; // a new object, the same table
      else if (roll < 0.9) {
        order = order.slice();
        const at = Math.floor(random() * (order.length - 1));
        [order[at], order[at + 1]] = [order[at + 1]!, order[at]!];
      }
      // otherwise nothing changes
      const owned = order;
      let sorted = false;
      const got = shape(
        kept.classes(owned, configs, () => {
          sorted = true;
          return [...owned].sort(byName);
        }),
      );
      if (sorted) rebuilds++;
      const fresh = new KeptSharing(signatureOf, same);
      expect(got, `step ${step}`).toEqual(
        shape(fresh.classes(owned, configs, () => [...owned].sort(byName))),
      );
      // Each class is in name order (its first name is the one kept).
      for (const names of got) expect(names).toEqual([...names].sort(byName));
    }
    // Removals class everything again; the other steps are patches.
    expect(rebuilds).toBeGreaterThan(0);
    expect(rebuilds).toBeLessThan(100);
  });
});
