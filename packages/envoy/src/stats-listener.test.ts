import { emptyXdsResources } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { buildAdsBootstrap, buildStaticBootstrap } from './bootstrap.js';

const node = { id: 'n', cluster: 'c' };
const ads = { host: '127.0.0.1', port: 18000 };
const admin = { address: '127.0.0.1', port: 8001 };
const stats = { address: '0.0.0.0', port: 8878 };

type Listener = {
  name: string;
  filter_chains: Array<{
    filters: Array<{
      typed_config: {
        route_config: {
          virtual_hosts: Array<{
            routes: Array<{ match: Record<string, unknown>; route?: Record<string, unknown> }>;
          }>;
        };
      };
    }>;
  }>;
};

describe('the stats listener in a bootstrap', () => {
  it('forwards only GET /metrics and /stats/prometheus, each rewritten to exactly /stats/prometheus', () => {
    const bootstrap = buildAdsBootstrap({ node, ads, admin, stats }) as {
      static_resources: { listeners: Listener[]; clusters: Array<{ name: string }> };
    };
    const [listener] = bootstrap.static_resources.listeners;
    expect(listener!.name).toBe('attache_envoy_stats');
    expect(bootstrap.static_resources.clusters.map((c) => c.name)).toEqual([
      'xds_cluster',
      'attache_envoy_admin',
    ]);
    const routes = listener!.filter_chains[0]!.filters[0]!.typed_config.route_config.virtual_hosts[0]!.routes;
    const forwarding = routes.filter((r) => r.route);
    expect(forwarding.map((r) => [r.match.path, r.route!.prefix_rewrite, r.route!.cluster])).toEqual([
      ['/metrics', '/stats/prometheus', 'attache_envoy_admin'],
      ['/stats/prometheus', '/stats/prometheus', 'attache_envoy_admin'],
    ]);
    for (const r of forwarding)
      expect(r.match.headers).toEqual([{ name: ':method', string_match: { exact: 'GET' } }]);
    expect(routes.at(-1)).toMatchObject({ match: { prefix: '/' }, direct_response: { status: 404 } });
  });

  it('is in static bootstraps too, and needs the admin on a fixed port', () => {
    const bootstrap = buildStaticBootstrap(emptyXdsResources(), { node, admin, stats }) as {
      static_resources: { listeners: Listener[] };
    };
    expect(bootstrap.static_resources.listeners.map((l) => l.name)).toEqual(['attache_envoy_stats']);
    expect(() => buildAdsBootstrap({ node, ads, stats })).toThrow(/admin address on a fixed port/);
    expect(() => buildAdsBootstrap({ node, ads, stats, admin: { address: '127.0.0.1', port: 0 } })).toThrow();
    expect(
      (buildAdsBootstrap({ node, ads, admin }) as { static_resources: Record<string, unknown> })
        .static_resources,
    ).not.toHaveProperty('listeners');
  });
});
