import { describe, expect, it } from 'vitest';
import { emptyIR, type IR, type IRHttpConnectionManager, type IRRoute, type IRVirtualHost } from './ir.js';
import { addHttpFilter, replaceRoutes, replaceVirtualHosts, withTypedPerFilterConfig } from './replace-ir.js';

const route = (name: string): IRRoute => ({
  name,
  match: { path: { kind: 'prefix', value: `/${name}` } },
  action: { kind: 'direct_response', status: 200 },
  provenance: [],
});

/** Two route configs whose virtual hosts share one route list (as the http plugin builds them). */
function sharedIR(): { ir: IR; shared: IRRoute; routes: IRRoute[]; other: IRRoute } {
  const shared = route('shared');
  const other = route('other');
  const routes = [shared, other];
  const vh = (name: string): IRVirtualHost => ({ name, domains: ['*'], routes, provenance: [] });
  const ir = emptyIR();
  ir.routeConfigs.a = { name: 'a', virtualHosts: [vh('host-a')], provenance: [] };
  ir.routeConfigs.b = { name: 'b', virtualHosts: [vh('host-b')], provenance: [] };
  return { ir, shared, routes, other };
}

describe('replaceRoutes', () => {
  it('replaces a shared route once, keeps it shared, and never edits the original', () => {
    const { ir, shared, routes, other } = sharedIR();
    const before = JSON.stringify(ir);
    const calls: string[] = [];
    const original = { a: ir.routeConfigs.a, b: ir.routeConfigs.b };
    replaceRoutes(ir, (r) => {
      calls.push(r.name);
      return r.name === 'shared' ? withTypedPerFilterConfig(r, 'f', { disabled: true }) : r;
    });
    expect(calls).toEqual(['shared', 'other']);
    const a = ir.routeConfigs.a!.virtualHosts[0]!;
    const b = ir.routeConfigs.b!.virtualHosts[0]!;
    expect(a.routes[0]).not.toBe(shared);
    expect(a.routes[0]).toBe(b.routes[0]);
    expect(a.routes).toBe(b.routes);
    expect(a.routes[1]).toBe(other);
    expect(a.routes[0]!.typedPerFilterConfig).toEqual({ f: { disabled: true } });
    // The objects other holders may keep are untouched.
    expect(shared.typedPerFilterConfig).toBeUndefined();
    expect(routes[0]).toBe(shared);
    expect(JSON.stringify(original)).toBe(JSON.stringify(JSON.parse(before).routeConfigs));
    expect(original.a!.virtualHosts[0]!.routes[0]).toBe(shared);
  });

  it('gives different contexts their own copies and leaves unchanged tables the same objects', () => {
    const { ir, shared } = sharedIR();
    const untouched = ir.routeConfigs.b!;
    replaceRoutes(
      ir,
      (r, site) => (site.virtualHost.name === 'host-a' && r === shared ? { ...r, name: `${r.name}-a` } : r),
      { contextOf: (site) => site.virtualHost.name },
    );
    expect(ir.routeConfigs.a!.virtualHosts[0]!.routes[0]!.name).toBe('shared-a');
    expect(ir.routeConfigs.b).toBe(untouched);
    expect(ir.routeConfigs.b!.virtualHosts[0]!.routes[0]).toBe(shared);
  });

  it('asks once per route and context, and keeps every route in order when a later one changes', () => {
    const { ir, shared, other } = sharedIR();
    const calls: string[] = [];
    replaceRoutes(
      ir,
      (r, site) => {
        calls.push(`${r.name}@${site.virtualHost.name}`);
        return r === other ? { ...r, name: 'other-2' } : r;
      },
      { contextOf: (site) => (site.routeConfig.name === 'a' ? 'x' : 'y') },
    );
    expect(calls).toEqual(['shared@host-a', 'other@host-a', 'shared@host-b', 'other@host-b']);
    for (const config of ['a', 'b']) {
      const routes = ir.routeConfigs[config]!.virtualHosts[0]!.routes;
      expect(routes.map((r) => r.name)).toEqual(['shared', 'other-2']);
      expect(routes[0]).toBe(shared);
    }
    // Two contexts: two copies, not one shared one.
    expect(ir.routeConfigs.a!.virtualHosts[0]!.routes[1]).not.toBe(
      ir.routeConfigs.b!.virtualHosts[0]!.routes[1],
    );
  });
});

describe('addHttpFilter', () => {
  it('adds the filter to every HTTP connection manager, keeping chains that shared one HCM sharing its copy', () => {
    const ir = emptyIR();
    const hcm: IRHttpConnectionManager = { statPrefix: 'x', filters: [] };
    const chain = (name: string) => ({
      kind: 'http' as const,
      name,
      match: {},
      routeConfigName: name,
      http: hcm,
      provenance: [],
    });
    ir.listeners.l = {
      name: 'l',
      address: '0.0.0.0',
      port: 8080,
      listenerFilters: [],
      filterChains: [chain('one'), chain('two')],
      provenance: [],
    };
    const original = ir.listeners.l;
    addHttpFilter(ir, { slot: 'ext_authz', name: 'ext', typedConfig: {}, provenance: [] });
    const [one, two] = ir.listeners.l!.filterChains as Array<ReturnType<typeof chain>>;
    expect(one!.http.filters.map((f) => f.slot)).toEqual(['ext_authz']);
    expect(one!.http).toBe(two!.http);
    expect(hcm.filters).toEqual([]);
    expect(original.filterChains[0]).not.toBe(one);
  });
});

describe('replaceVirtualHosts', () => {
  it('copies only the route configurations whose virtual hosts change, keeping shared route lists', () => {
    const { ir, routes } = sharedIR();
    const untouched = ir.routeConfigs.b!;
    const original = ir.routeConfigs.a!;
    replaceVirtualHosts(ir, (vh) =>
      vh.name === 'host-a' ? withTypedPerFilterConfig(vh, 'f', { disabled: true }) : vh,
    );
    expect(ir.routeConfigs.b).toBe(untouched);
    expect(ir.routeConfigs.a).not.toBe(original);
    expect(ir.routeConfigs.a!.virtualHosts[0]!.typedPerFilterConfig).toEqual({ f: { disabled: true } });
    expect(ir.routeConfigs.a!.virtualHosts[0]!.routes).toBe(routes);
    expect(original.virtualHosts[0]!.typedPerFilterConfig).toBeUndefined();
  });
});
