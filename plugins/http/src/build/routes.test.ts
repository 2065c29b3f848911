import { emptyIR, type PassContext } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { HttpHost } from '../model.js';
import type { Upstream } from '../resolve/upstreams.js';
import { httpMapping } from '../testing/http-mapping.js';
import { buildRouteGroups } from './groups.js';
import { hostRoutes } from './routes.js';

const ctx = { ir: emptyIR(), report: () => {} } as unknown as PassContext;

const mapping = httpMapping;

const host = (hostname: string, insecureAction: HttpHost['insecureAction']) =>
  ({ id: `default/${hostname}`, hostname, insecureAction }) as unknown as HttpHost;

const upstream = (name: string): Upstream => ({
  cluster: {
    name: `cluster_${name}`,
    discovery: 'STRICT_DNS',
    provenance: [],
  } as unknown as Upstream['cluster'],
  authority: `${name}:80`,
});

describe('route match headers', () => {
  const mappings = [
    mapping('glob-headers', {
      prefix: '/a/',
      hostname: '*.example.com',
      headers: { 'x-a': '1' },
      method: 'PUT',
    }),
    mapping('glob-plain', { prefix: '/b/', hostname: 'api.*' }),
    mapping('exact-headers', { prefix: '/c/', hostname: 'api.example.com', headers: { 'x-c': '3' } }),
  ];
  const upstreams = new Map(mappings.map((m) => [m.id, upstream(m.name)]));
  const groups = buildRouteGroups(ctx, mappings);
  const headersOf = (routes: ReturnType<typeof hostRoutes>) =>
    Object.fromEntries(
      routes.map((r) => [r.name, (r.match.headers ?? []).map((h) => `${h.name}=${JSON.stringify(h.match)}`)]),
    );

  it('put the :authority condition first, then the match headers, then x-forwarded-proto (XFP, redirecting Host)', () => {
    const routes = hostRoutes(host('api.example.com', 'Redirect'), groups, 'XFP', upstreams, {});
    const authority = ':authority={"suffix":".example.com"}';
    const proto = 'x-forwarded-proto={"exact":"https"}';
    expect(headersOf(routes)).toEqual({
      'default/glob-headers:https': [authority, ':method={"exact":"PUT"}', 'x-a={"exact":"1"}', proto],
      'default/glob-headers:http': [authority, ':method={"exact":"PUT"}', 'x-a={"exact":"1"}'],
      'default/glob-plain:https': [':authority={"prefix":"api."}', proto],
      'default/glob-plain:http': [':authority={"prefix":"api."}'],
      'default/exact-headers:https': ['x-c={"exact":"3"}', proto],
      'default/exact-headers:http': ['x-c={"exact":"3"}'],
    });
  });

  it('leave the group match untouched (one plain Mapping shares it with its route)', () => {
    const before = JSON.stringify(groups.map((g) => g.match));
    hostRoutes(host('api.example.com', 'Route'), groups, 'XFP', upstreams, {});
    hostRoutes(host('x.example.com', 'Redirect'), groups, 'SECURE', upstreams, {});
    expect(JSON.stringify(groups.map((g) => g.match))).toBe(before);
  });
});
