import { describe, expect, it } from 'vitest';
import { behaviourRoutes, comparePathSets, sideFromXds } from './filter-parts.js';

const routeConfiguration = {
  name: 'rc',
  resource: {
    name: 'rc',
    virtual_hosts: [
      {
        name: 'vh',
        domains: ['*'],
        routes: [
          { match: { prefix: '/a/' }, route: { cluster: 'a' } },
          { match: { path: '/exact' }, route: { cluster: 'b' } },
          { match: { safe_regex: { regex: '/r.*' } }, route: { cluster: 'c' } },
          { match: { prefix: '/ambassador/v0/check_ready' }, route: { cluster: 'diag' } },
        ],
      },
    ],
  },
};

describe('route parts', () => {
  it('walks every route by its path matcher, leaving out Emissary’s own diagnostics routes', () => {
    const side = sideFromXds({
      'type.googleapis.com/envoy.config.listener.v3.Listener': [],
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': [routeConfiguration],
      'type.googleapis.com/envoy.config.cluster.v3.Cluster': [],
    } as unknown as Parameters<typeof sideFromXds>[0]);
    expect(
      behaviourRoutes(side).map((r) => [r.path, (r.route.route as { cluster: string }).cluster, r.vh.name]),
    ).toEqual([
      ['/a/', 'a', 'vh'],
      ['/exact', 'b', 'vh'],
      ['/r.*', 'c', 'vh'],
    ]);
  });

  it('compares the sets of views per path, a path one side lacks as missing, keys sorted', () => {
    const expected = new Map([
      ['/b', new Set(['x', 'y'])],
      ['/a', new Set(['x'])],
    ]);
    const actual = new Map([
      ['/b', new Set(['y', 'x'])],
      ['/c', new Set(['z'])],
    ]);
    expect(comparePathSets('cluster', expected, actual, 'f')).toEqual([
      { part: 'cluster', key: 'f /a', ok: false, detail: 'expected x; got missing' },
      { part: 'cluster', key: 'f /b', ok: true },
      { part: 'cluster', key: 'f /c', ok: false, detail: 'expected missing; got z' },
    ]);
  });
});
