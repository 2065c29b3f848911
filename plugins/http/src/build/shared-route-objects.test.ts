import { type IRCluster, type IRForwardAction, type PassContext, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { type HttpHost, type HttpMapping, noRouteNames } from '../model.js';
import { routeClustersOf, type Upstream } from '../resolve/upstreams.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { httpMapping } from '../testing/http-mapping.js';
import { buildRouteGroups } from './groups.js';
import { KeptClusters, provenanceOf } from './kept-clusters.js';
import { hostRoutes } from './routes.js';

const ctx = { report: () => {} } as unknown as PassContext;

const host = (hostname: string, insecureAction: HttpHost['insecureAction']) =>
  ({ id: `default/${hostname}`, hostname, insecureAction }) as unknown as HttpHost;

const cluster = (name: string): IRCluster => ({
  name,
  discovery: 'STRICT_DNS',
  targets: [{ host: name, port: 80 }],
  connectTimeoutMs: 3000,
  provenance: [],
});

/** An upstream as resolve-upstreams makes it (with its shared route clusters), or as tests did before (without). */
const upstream = (name: string, shared: boolean): Upstream => ({
  cluster: cluster(name),
  authority: `${name}:80`,
  ...(shared ? { routeClusters: routeClustersOf(name) } : {}),
});

/**
 * The forward action's fields up to priority as routes.ts built them before its literal fast path:
 * one field at a time, in this order (the rest of the action is made by the same code either way).
 */
function plainActionHead(spec: HttpMapping['fields'], clusterName: string, moduleTimeout?: number) {
  const action: Partial<IRForwardAction> = {
    kind: 'forward',
    clusters: [{ cluster: clusterName, weight: 100 }],
  };
  if (spec.regex_rewrite) action.regexRewrite = { ...spec.regex_rewrite };
  else {
    const rewrite = spec.rewrite ?? '/';
    if (rewrite !== '') action.prefixRewrite = rewrite;
  }
  if (spec.host_rewrite) action.hostRewrite = spec.host_rewrite;
  if (spec.auto_host_rewrite) action.autoHostRewrite = true;
  action.timeoutMs = spec.timeout_ms ?? moduleTimeout ?? 3000;
  if (spec.idle_timeout_ms !== undefined) action.idleTimeoutMs = spec.idle_timeout_ms;
  if (spec.priority) action.priority = spec.priority === 'high' ? 'HIGH' : 'DEFAULT';
  return action;
}

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)]!;

/** A random Mapping spec over the fields the head of a forward action reads. */
function randomSpec(random: () => number, i: number): Partial<MappingSpec> {
  const spec: Record<string, unknown> = { prefix: `/p${i}/` };
  if (random() < 0.6) spec.rewrite = pick(random, ['/', '', '/in/', '/x/y/']);
  if (random() < 0.15) spec.regex_rewrite = { pattern: '^/a/(.*)$', substitution: '/b/\\1' };
  if (random() < 0.15) spec.host_rewrite = pick(random, ['', 'up.example', 'other']);
  if (random() < 0.15) spec.auto_host_rewrite = random() < 0.5;
  if (random() < 0.4) spec.timeout_ms = pick(random, [0, 1000, 6000]);
  if (random() < 0.3) spec.idle_timeout_ms = pick(random, [0, 60000]);
  if (random() < 0.15) spec.priority = pick(random, ['high', 'default']);
  return spec as Partial<MappingSpec>;
}

describe('objects routes share or are built without', () => {
  it('a forward action has the fields, in the order, of one built field by field (random specs)', () => {
    const random = seededRandom(1414);
    for (let round = 0; round < 40; round++) {
      const moduleTimeout = random() < 0.3 ? 9000 : undefined;
      const mappings = Array.from({ length: 30 }, (_, i) => httpMapping(`m${i}`, randomSpec(random, i)));
      const upstreams = new Map(
        mappings.map((m) => [m.id, upstream(`c${m.name.length % 3}`, random() < 0.5)]),
      );
      const routes = hostRoutes(
        host('h.example', 'Route'),
        buildRouteGroups(ctx, mappings),
        'SECURE',
        upstreams,
        moduleTimeout === undefined ? {} : { cluster_request_timeout_ms: moduleTimeout },
      );
      expect(routes).toHaveLength(mappings.length);
      for (const route of routes) {
        const mapping = mappings.find((m) => m.id === route.name)!;
        const expected = plainActionHead(
          mapping.fields,
          upstreams.get(mapping.id)!.cluster.name,
          moduleTimeout,
        );
        // Keys in order and values alike: the same JSON text.
        expect(JSON.stringify(route.action)).toBe(JSON.stringify(expected));
        expect(Object.keys(route.action)).toEqual(Object.keys(expected));
      }
    }
  });

  it('routes to one upstream share its frozen clusters list; an upstream without one gets a list per route', () => {
    const mappings = ['a', 'b', 'c', 'd'].map((n) => httpMapping(n, { prefix: `/${n}/` }));
    const shared = upstream('shared', true);
    const own = upstream('own', false);
    const upstreams = new Map<string, Upstream>([
      [mappings[0]!.id, shared],
      [mappings[1]!.id, shared],
      [mappings[2]!.id, own],
      [mappings[3]!.id, own],
    ]);
    const routes = hostRoutes(
      host('h.example', 'Redirect'),
      buildRouteGroups(ctx, mappings),
      'XFP',
      upstreams,
      {},
    );
    const clustersOf = (name: string) =>
      (routes.find((r) => r.name === name)!.action as IRForwardAction).clusters;
    expect(clustersOf('default/a:https')).toBe(clustersOf('default/b:https'));
    expect(clustersOf('default/a:https')).toBe(shared.routeClusters);
    expect(Object.isFrozen(clustersOf('default/a:https'))).toBe(true);
    expect(Object.isFrozen(clustersOf('default/a:https')[0])).toBe(true);
    expect(clustersOf('default/c:https')).not.toBe(clustersOf('default/d:https'));
    for (const name of ['a', 'b'])
      expect(clustersOf(`default/${name}:https`)).toEqual([{ cluster: 'shared', weight: 100 }]);
    for (const name of ['c', 'd'])
      expect(clustersOf(`default/${name}:https`)).toEqual([{ cluster: 'own', weight: 100 }]);
  });

  it("a plain compile's IR cluster is the upstream's own object, as the kept build's copy (random users)", () => {
    const random = seededRandom(1415);
    for (let round = 0; round < 30; round++) {
      const mappings = Array.from({ length: 25 }, (_, i) =>
        httpMapping(`m${String(i).padStart(2, '0')}`, {}),
      );
      const names = ['a', 'b', 'c', 'd'];
      const choice = mappings.map(() => pick(random, names));
      const make = () => {
        const byName = new Map(names.map((n) => [n, upstream(n, true)]));
        return { byName, upstreams: new Map(mappings.map((m, i) => [m.id, byName.get(choice[i]!)!])) };
      };
      const plain = make();
      const kept = make();
      const built = new KeptClusters(false).build(mappings, plain.upstreams);
      const expected = new KeptClusters(true).build(mappings, kept.upstreams);
      expect([...built.keys()]).toEqual([...expected.keys()]);
      for (const [name, ir] of built) {
        expect(ir).toBe(plain.byName.get(name)!.cluster);
        expect(JSON.stringify(ir)).toBe(JSON.stringify(expected.get(name)));
        const users = mappings.filter((_, i) => choice[i] === name);
        expect(ir.provenance).toEqual(provenanceOf(users));
      }
    }
  });

  it('a Mapping starting with the shared empty route names gets the names it gets from a list of its own', () => {
    const random = seededRandom(1416);
    for (let round = 0; round < 30; round++) {
      const specs = Array.from({ length: 20 }, (_, i) =>
        pick(random, [
          { prefix: `/p${i}/`, hostname: '*' },
          { prefix: `/p${i}/`, hostname: 'a.example' },
          { prefix: `/p${i}/`, hostname: '*.example' },
          { prefix: `/p${i % 5}/`, hostname: 'b.example', weight: 50 },
          { prefix: `/p${i}/`, hostname: 'nowhere.invalid' },
        ] as Array<Partial<MappingSpec>>),
      );
      const hosts = [host('a.example', 'Redirect'), host('b.example', 'Route'), host('c.example', 'Reject')];
      const namesOf = (shared: boolean) => {
        const mappings = specs.map((s, i) => {
          const m = httpMapping(`m${String(i).padStart(2, '0')}`, s);
          if (shared) m.routeNames = noRouteNames;
          return m;
        });
        const upstreams = new Map(mappings.map((m) => [m.id, upstream(`c${m.name}`, true)]));
        const groups = buildRouteGroups(ctx, mappings);
        const memo = new Map();
        for (const h of hosts)
          for (const model of ['XFP', 'SECURE', 'INSECURE'] as const)
            hostRoutes(h, groups, model, upstreams, {}, memo);
        return mappings.map((m) => m.routeNames);
      };
      expect(namesOf(true)).toEqual(namesOf(false));
      expect(noRouteNames).toEqual([]);
    }
  });
});

describe('route group weights', () => {
  /** Emissary's route weight of a Mapping, from its spec alone (groups.ts keeps it as group fields). */
  const weightOf = (spec: Partial<MappingSpec>): Array<number | string> => {
    const text = (map: Record<string, string> | undefined, regex: boolean) =>
      Object.entries(map ?? {}).reduce((n, [k, v]) => n + k.length + v.length + (regex ? 1 : 0), 0);
    let headers = text(spec.headers, false) + text(spec.regex_headers, true);
    if (spec.method) headers += ':method'.length + spec.method.length;
    if (spec.hostname && spec.hostname !== '*') headers += ':authority'.length + spec.hostname.length;
    const query = text(spec.query_parameters, false) + text(spec.regex_query_parameters, true);
    return [spec.precedence ?? 0, spec.prefix!.length, headers, query, spec.prefix!, spec.method ?? 'GET'];
  };
  /** a's weight against b's: descending, numbers then texts (UTF-16 code units). */
  const compare = (a: Array<number | string>, b: Array<number | string>): number => {
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      return typeof a[i] === 'number' ? (b[i] as number) - (a[i] as number) : a[i]! < b[i]! ? 1 : -1;
    }
    return 0;
  };

  it('orders groups by the weight of their Mappings, field by field (random Mappings)', () => {
    const random = seededRandom(1417);
    for (let round = 0; round < 40; round++) {
      const specs = Array.from({ length: 120 }, (_, i): Partial<MappingSpec> => {
        const spec: Record<string, unknown> = {
          prefix: pick(random, ['/a/', '/b/', '/cc/', '/dd/', '/eee/']) + (random() < 0.5 ? '' : `${i}/`),
        };
        if (random() < 0.3) spec.precedence = pick(random, [-1, 0, 1, 5]);
        if (random() < 0.3)
          spec.headers = { [pick(random, ['x-a', 'x-bb'])]: pick(random, ['1', '22', '333']) };
        if (random() < 0.2) spec.regex_headers = { 'x-r': pick(random, ['^a$', '.*']) };
        if (random() < 0.3)
          spec.query_parameters = { [pick(random, ['q', 'qq'])]: pick(random, ['1', '4444']) };
        if (random() < 0.2) spec.regex_query_parameters = { r: pick(random, ['^b$', 'c']) };
        if (random() < 0.3) spec.method = pick(random, ['GET', 'POST', 'PUT']);
        if (random() < 0.4) spec.hostname = pick(random, ['*', 'a.example', 'bb.example']);
        return spec as Partial<MappingSpec>;
      });
      const mappings = specs.map((s, i) => httpMapping(`m${i}`, s));
      const groups = buildRouteGroups(ctx, mappings);
      for (let i = 1; i < groups.length; i++) {
        const a = weightOf(groups[i - 1]!.members[0]!.mapping.spec);
        const b = weightOf(groups[i]!.members[0]!.mapping.spec);
        expect(compare(a, b)).toBeLessThanOrEqual(0);
      }
    }
  });
});
