import { describe, expect, it } from 'vitest';
import { danglingReferences } from './references.js';
import { readIR } from './testing/golden.js';

describe('danglingReferences', () => {
  it('reports a dangling route wherever its shared route list (or the route itself) appears', () => {
    const ir = readIR('full-ir.in.yaml');
    const [config] = Object.values(ir.routeConfigs);
    const routes = config!.virtualHosts[0]!.routes;
    const route = routes[0]!;
    if (route.action.kind !== 'forward') throw new Error('fixture changed');
    route.action.clusters = [{ cluster: 'no-such-cluster', weight: 100 }];
    config!.virtualHosts.push(
      { ...config!.virtualHosts[0]!, name: 'shares-the-list', routes },
      { ...config!.virtualHosts[0]!, name: 'shares-the-route', routes: [route] },
    );
    const forRoute = danglingReferences(ir, new Map()).filter((d) =>
      d.message.startsWith(`route '${route.name}' forwards to cluster 'no-such-cluster'`),
    );
    expect(forRoute).toHaveLength(3);
    expect(forRoute.every((d) => d.refs === route.provenance)).toBe(true);
  });
});
