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

describe('route objects written as literals', () => {
  // The keys of a route, its action and its match in the order the step-by-step build gives them
  // (each key set after the one before it): the literals that hold several at once must agree.
  const routeKeys = [
    'name',
    'match',
    'action',
    'provenance',
    'requestHeadersToAdd',
    'requestHeadersToRemove',
    'responseHeadersToAdd',
    'responseHeadersToRemove',
  ];
  const actionKeys = [
    'kind',
    'clusters',
    'regexRewrite',
    'prefixRewrite',
    'hostRewrite',
    'autoHostRewrite',
    'timeoutMs',
    'idleTimeoutMs',
    'priority',
    'retryPolicy',
    'hostRedirect',
    'httpsRedirect',
    'pathRedirect',
    'responseCode',
  ];
  const matchKeys = ['path', 'caseSensitive', 'headers', 'queryParameters', 'runtimeFraction'];
  const inOrder = (keys: string[], order: string[]) => {
    const at = keys.map((k) => order.indexOf(k));
    expect(at, `${keys.join(',')}`).not.toContain(-1);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  };

  it('have the keys the step-by-step build gives, in its order, with its values, over random Mappings', () => {
    const random = seededRandom(1603);
    const maybe = <T>(p: number, value: T): T | undefined => (random() < p ? value : undefined);
    let withAdded = 0;
    let withIdle = 0;
    let withHeaders = 0;
    for (let round = 0; round < 60; round++) {
      const mappings = Array.from({ length: 10 }, (_, i) => {
        const spec: Record<string, unknown> = {
          prefix: `/${Math.floor(random() * 5)}/`,
          hostname: random() < 0.5 ? 'a.example.com' : random() < 0.5 ? '*' : '*.example.com',
          rewrite: maybe(0.6, random() < 0.3 ? '' : '/x/'),
          idle_timeout_ms: maybe(0.4, Math.floor(random() * 1000)),
          timeout_ms: maybe(0.3, 250),
          add_request_headers: maybe(
            0.3,
            random() < 0.2 ? {} : { 'x-a': '1', 'x-b': { value: '2', append: false } },
          ),
          add_linkerd_headers: maybe(0.15, true),
          remove_request_headers: maybe(0.1, ['x-gone']),
          headers: maybe(0.3, random() < 0.2 ? {} : { 'x-h': 'v' }),
          regex_headers: maybe(0.1, { 'x-r': '^a+$' }),
          query_parameters: maybe(0.3, { q: '1' }),
          method: maybe(0.2, 'PUT'),
          case_sensitive: maybe(0.15, false),
          weight: maybe(0.2, 30),
          host_redirect: maybe(0.1, true),
          regex_rewrite: maybe(0.1, { pattern: '^/a', substitution: '/b' }),
          host_rewrite: maybe(0.1, 'up.example.com'),
          retry_policy: maybe(0.1, { retry_on: '5xx' }),
        };
        for (const key of Object.keys(spec)) if (spec[key] === undefined) delete spec[key];
        return mapping(`m${i}`, spec);
      });
      const upstreams = new Map(mappings.map((m) => [m.id, upstream(m.name)]));
      const groups = buildRouteGroups(ctx, mappings);
      const byName = new Map(mappings.map((m) => [m.name, m]));
      for (const h of [host('a.example.com', 'Redirect'), host('b.example.com', 'Route')]) {
        for (const model of ['XFP', 'SECURE', 'INSECURE'] as const) {
          for (const r of hostRoutes(h, groups, model, upstreams, {})) {
            inOrder(Object.keys(r), routeKeys);
            inOrder(Object.keys(r.action), actionKeys);
            // headers and runtimeFraction may come last: the route's copy of its group's match adds
            // them (an :authority condition, x-forwarded-proto, a canary share).
            inOrder(
              Object.keys(r.match).filter((k) => k !== 'headers' && k !== 'runtimeFraction'),
              matchKeys,
            );
            const m = byName.get(r.provenance[0]!.name)!;
            const spec = m.spec as Record<string, unknown>;
            if (r.action.kind !== 'forward') continue;
            // Values as the step-by-step build sets them.
            const added = Object.keys((spec.add_request_headers as object | undefined) ?? {}).length;
            const want = added + (spec.add_linkerd_headers ? 1 : 0);
            expect(r.requestHeadersToAdd?.length ?? 0).toBe(want);
            if (want > 0) withAdded++;
            expect(r.action.idleTimeoutMs).toBe(spec.idle_timeout_ms);
            if (spec.idle_timeout_ms !== undefined) withIdle++;
            expect(r.action.timeoutMs).toBe(spec.timeout_ms ?? 3000);
            const rewrite = spec.regex_rewrite ? undefined : (spec.rewrite ?? '/');
            expect(r.action.prefixRewrite).toBe(rewrite === '' ? undefined : rewrite);
            const headers = r.match.headers?.map((x) => x.name) ?? [];
            if (spec.method) expect(headers).toContain(':method');
            if (spec.headers && Object.keys(spec.headers).length > 0) expect(headers).toContain('x-h');
            if (headers.length > 0) withHeaders++;
            expect(r.match.caseSensitive).toBe(spec.case_sensitive === false ? false : undefined);
            expect(r.match.queryParameters?.map((q) => q.name)).toEqual(
              spec.query_parameters ? ['q'] : undefined,
            );
          }
        }
      }
    }
    expect(withAdded).toBeGreaterThan(100);
    expect(withIdle).toBeGreaterThan(100);
    expect(withHeaders).toBeGreaterThan(100);
  });
});
