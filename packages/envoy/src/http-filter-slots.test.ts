import type { IRHttpFilter } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { httpFilterSlots, orderHttpFilters } from './http-filter-slots.js';

const filter = (slot: string, name: string, order?: number): IRHttpFilter => ({
  slot,
  name,
  typedConfig: {},
  provenance: [],
  ...(order === undefined ? {} : { order }),
});

describe('HTTP filter slots', () => {
  it('ends with router and gives every slot a reason', () => {
    expect(httpFilterSlots.at(-1)!.slot).toBe('router');
    for (const s of httpFilterSlots) expect(s.reason.length).toBeGreaterThan(20);
    expect(new Set(httpFilterSlots.map((s) => s.slot)).size).toBe(httpFilterSlots.length);
  });

  it('puts CORS before authentication, authorisation before rate limiting', () => {
    const index = (slot: string) => httpFilterSlots.findIndex((s) => s.slot === slot);
    expect(index('cors')).toBeLessThan(index('jwt_authn'));
    expect(index('jwt_authn')).toBeLessThan(index('ext_authz'));
    expect(index('ext_authz')).toBeLessThan(index('ratelimit'));
    expect(index('grpc_web')).toBeLessThan(index('grpc_stats'));
    expect(index('grpc_http1_bridge')).toBeLessThan(index('grpc_web'));
  });

  it('orders by slot, then order, then name', () => {
    const ordered = orderHttpFilters([
      filter('lua', 'lua-b', 1),
      filter('ratelimit', 'rl'),
      filter('lua', 'lua-z', 0),
      filter('lua', 'lua-a', 1),
      filter('cors', 'cors'),
      filter('ext_authz', 'authz'),
    ]);
    expect(ordered.map((f) => f.name)).toEqual(['cors', 'authz', 'rl', 'lua-z', 'lua-a', 'lua-b']);
  });

  it('throws for an unknown slot, naming it and the known ones', () => {
    expect(() => orderHttpFilters([filter('waf', 'envoy.filters.http.waf')])).toThrow(
      /unknown slot 'waf'; known slots: health_check, grpc_http1_bridge, grpc_web, grpc_stats, cors,.*router/,
    );
  });
});
