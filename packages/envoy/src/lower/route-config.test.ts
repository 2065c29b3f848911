import { describe, expect, it } from 'vitest';
import { readIR } from '../testing/golden.js';
import { lowerRoute } from './route.js';
import { lowerRouteConfig, memoizedRouteLowering } from './route-config.js';

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
