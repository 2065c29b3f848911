import { type IRRouteConfig, PassMemoStore, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { loweringMemo } from '../lowering-memo.js';
import { readIR } from '../testing/golden.js';
import type { ResourcePart } from './common.js';
import { lowerRoute } from './route.js';
import { keptRouteConfig, lowerRouteConfig, memoizedRouteLowering } from './route-config.js';

describe('memoizedRouteLowering', () => {
  const config = Object.values(readIR('full-ir.in.yaml').routeConfigs).find((c) =>
    c.virtualHosts.some((vh) => vh.routes.length > 1),
  )!;
  const routes = config.virtualHosts.find((vh) => vh.routes.length > 1)!.routes;

  it('lowers a shared route list, and a route shared between lists, once', () => {
    const lowerRoutes = memoizedRouteLowering();
    const first = lowerRoutes(routes);
    expect(lowerRoutes(routes)).toBe(first);
    const other = lowerRoutes([routes[1]!, routes[0]!]);
    expect(other).not.toBe(first);
    expect(other[0]).toBe(first[1]);
    expect(other[1]).toBe(first[0]);
  });

  it('gives what lowering each route gives', () => {
    expect(memoizedRouteLowering()(routes)).toEqual(routes.map((r) => lowerRoute(r)));
    const sharedTwice = { ...config, virtualHosts: config.virtualHosts.map((vh) => ({ ...vh, routes })) };
    expect(lowerRouteConfig(sharedTwice, memoizedRouteLowering())).toEqual(lowerRouteConfig(sharedTwice));
  });
});

describe('lowerRouteConfig parts (made when first read)', () => {
  const facts = (parts: readonly ResourcePart[]) =>
    parts.map((p) => ({
      pointer: p.pointer,
      label: p.label,
      droppable: p.droppable,
      provenance: p.provenance,
    }));
  const configs = Object.values(readIR('full-ir.in.yaml').routeConfigs);

  it('are the parts the incremental lowering makes eagerly (random virtual host sets, fixed seed)', () => {
    const random = seededRandom(1210);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const virtualHosts = configs.flatMap((c) => c.virtualHosts);
    let routes = 0;
    for (let i = 0; i < 200; i++) {
      const config: IRRouteConfig = {
        ...pick(configs),
        virtualHosts: Array.from({ length: Math.floor(random() * 4) }, () => {
          const vh = pick(virtualHosts);
          const cut = Math.floor(random() * (vh.routes.length + 1));
          return { ...vh, name: `${vh.name}-${Math.floor(random() * 3)}`, routes: vh.routes.slice(0, cut) };
        }),
      };
      const lazy = lowerRouteConfig(config, memoizedRouteLowering());
      const eager = keptRouteConfig(
        loweringMemo(new PassMemoStore(() => {}), ''),
        config,
        memoizedRouteLowering(),
        {},
      );
      expect(lazy.resource).toEqual(eager.resource);
      expect(facts(lazy.parts)).toEqual(facts(eager.parts));
      // Read again: the same array.
      expect(lazy.parts).toBe(lazy.parts);
      routes += lazy.parts.filter((p) => p.droppable).length;
    }
    expect(routes).toBeGreaterThan(100);
  });
});
