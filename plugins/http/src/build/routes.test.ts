import { emptyIR, type IRRoute, type PassContext, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { HttpHost } from '../model.js';
import type { Upstream } from '../resolve/upstreams.js';
import { httpMapping } from '../testing/http-mapping.js';
import { buildRouteGroups } from './groups.js';
import { hostRoutes, insertName, namesOf } from './routes.js';

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

describe('route names of a Mapping', () => {
  it('namesOf is what insertName makes of one or two names from an empty list', () => {
    const random = seededRandom(15);
    const words = ['a', 'b', 'default/m', 'default/m:http', 'default/m:https', 'default/m2', 'Z', 'é'];
    for (let i = 0; i < 2_000; i++) {
      const routes = Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({
        name: words[Math.floor(random() * words.length)]!,
      })) as unknown as IRRoute[];
      const inserted: string[] = [];
      for (const r of routes) insertName(inserted, r.name);
      expect(namesOf(routes)).toEqual(inserted);
    }
  });

  it('are the sorted, distinct names of the routes built for it, Host after Host and model after model', () => {
    const random = seededRandom(16);
    const hostnames = ['a.example.com', 'b.example.com'];
    for (let round = 0; round < 30; round++) {
      const mappings = Array.from({ length: 8 }, (_, i) =>
        mapping(`m${i}`, {
          prefix: `/${Math.floor(random() * 4)}/`,
          hostname: random() < 0.5 ? hostnames[Math.floor(random() * 2)]! : '*',
          ...(random() < 0.3 ? { method: 'PUT' } : {}),
          ...(random() < 0.2 ? { host_redirect: true } : {}),
        }),
      );
      const upstreams = new Map(mappings.map((m) => [m.id, upstream(m.name)]));
      const groups = buildRouteGroups(ctx, mappings);
      const built = new Map<string, Set<string>>();
      const actions: HttpHost['insecureAction'][] = ['Redirect', 'Route', 'Reject'];
      const models = ['XFP', 'SECURE', 'INSECURE'] as const;
      for (let call = 0; call < 4; call++) {
        const h = host(hostnames[Math.floor(random() * 2)]!, actions[Math.floor(random() * 3)]!);
        const model = models[Math.floor(random() * 3)]!;
        for (const r of hostRoutes(h, groups, model, upstreams, {} as never)) {
          const owner = r.provenance[0]!.name;
          if (!built.has(owner)) built.set(owner, new Set());
          built.get(owner)!.add(r.name);
        }
      }
      for (const m of mappings) expect(m.routeNames).toEqual([...(built.get(m.name) ?? [])].sort());
    }
  });
});
