import type { IRHeaderMatch, IRRoute, IRStringMatch } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { fastMessageOfTypeUrl } from './fast-descriptors.js';
import { lowerCluster } from './lower/cluster.js';
import { lowerRoute } from './lower/route.js';
import { seededRandom } from './testing/validation-corpus.js';
import { checkResource } from './validate.js';
import { listItemVerdicts, payloadVerdicts } from './validate-fast.js';

const routeDesc = fastMessageOfTypeUrl('type.googleapis.com/envoy.config.route.v3.Route')!;

/** A route as lowering makes it, from a random IR route (some values Envoy refuses). */
function randomRoute(random: () => number, i: number): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const stringMatch = (): IRStringMatch =>
    pick<IRStringMatch>([
      { exact: `v${i}` },
      { prefix: 'p' },
      { regex: '^a+$' },
      { regex: '(' },
      { exact: '' },
    ]);
  const headers: IRHeaderMatch[] = Array.from({ length: Math.floor(random() * 3) }, (_, k) =>
    random() < 0.2 ? { name: pick(['x-p', '', 'bad name']) } : { name: `x-h${k}`, match: stringMatch() },
  );
  const match: IRRoute['match'] = {
    path: pick<IRRoute['match']['path']>([
      { kind: 'prefix', value: `/p${i}/` },
      { kind: 'path', value: `/exact${i}` },
      { kind: 'prefix', value: '' },
    ]),
  };
  if (headers.length > 0) match.headers = headers;
  if (random() < 0.2) match.queryParameters = [{ name: pick(['q', '']), match: stringMatch() }];
  if (random() < 0.1)
    match.runtimeFraction = {
      numerator: pick([5, 200]),
      denominator: pick(['HUNDRED', 'MILLION']),
      runtimeKey: 'k',
    } as never;
  const action: IRRoute['action'] =
    random() < 0.35
      ? { kind: 'redirect', httpsRedirect: true }
      : {
          kind: 'forward',
          clusters: [{ cluster: pick([`c${i % 9}`, '', 'c']), weight: 100 }],
          ...(random() < 0.6 ? { prefixRewrite: pick(['/in/', '/bad\nrewrite', '']) } : {}),
          ...(random() < 0.7 ? { timeoutMs: pick([3000, 1500, 0, -1000, 1e15]) } : {}),
          ...(random() < 0.1 ? { idleTimeoutMs: pick([1000, -5]) } : {}),
          ...(random() < 0.1
            ? { retryPolicy: { retryOn: pick(['5xx', '']), numRetries: pick([1, -1]) } }
            : {}),
        };
  const route: IRRoute = { name: `r${i}`, match, action, provenance: [] };
  if (random() < 0.1) route.requestHeadersToAdd = [{ key: pick(['x-a', '', ':path']), value: 'v' }];
  return lowerRoute(route) as Record<string, unknown>;
}

/** The route, changed at one place (a key added, removed, set to null or to another type). */
function damaged(random: () => number, route: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(route);
  const objects: Record<string, unknown>[] = [copy];
  for (const key of ['match', 'route', 'redirect']) {
    const v = copy[key];
    if (v && typeof v === 'object') objects.push(v as Record<string, unknown>);
  }
  const target = objects[Math.floor(random() * objects.length)]!;
  const keys = Object.keys(target);
  const r = random();
  const key = keys[Math.floor(random() * keys.length)]!;
  if (r < 0.2) target[key] = null;
  else if (r < 0.35) target[key] = 7;
  else if (r < 0.5) delete target[key];
  else if (r < 0.6) target.unknown_field = 'x';
  else if (r < 0.7) copy.redirect = { https_redirect: true };
  else if (r < 0.8) (copy.match as Record<string, unknown>).path = '/both';
  else if (r < 0.9) target[key] = [];
  else target.prefixRewrite = '/twice/';
  return copy;
}

describe('routes judged by shape', () => {
  it('give the verdict of acceptPlanned, and never accept what the authoritative check refuses (random routes, fixed seed)', () => {
    const random = seededRandom(1417);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const route = randomRoute(random, i);
      for (const json of [route, damaged(random, route)]) {
        const { item, planned } = listItemVerdicts(routeDesc, json);
        expect(item, JSON.stringify(json)).toBe(planned);
        if (item) {
          accepted++;
          const resource = {
            '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
            name: 'rc',
            virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [json] }],
          };
          expect(checkResource(resource).ok, JSON.stringify(json)).toBe(true);
        } else refused++;
      }
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  }, 120_000);
});

describe('endpoints judged by shape', () => {
  it('give the verdict of acceptPlanned, and never accept what the authoritative check refuses (random localities, fixed seed)', () => {
    const random = seededRandom(1418);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const localityDesc = fastMessageOfTypeUrl(
      'type.googleapis.com/envoy.config.endpoint.v3.LocalityLbEndpoints',
    )!;
    const endpointDesc = fastMessageOfTypeUrl('type.googleapis.com/envoy.config.endpoint.v3.LbEndpoint')!;
    const lbEndpoint = (k: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {
        endpoint: {
          address: {
            socket_address: {
              address: pick([`10.0.0.${k}`, `svc-${k}.ns`, '']),
              port_value: pick([8080, 443, 9000, 0, 70000]),
            },
          },
        },
      };
      if (random() < 0.2) out.health_status = pick(['HEALTHY', 'UNHEALTHY', 'NOPE', 3]);
      if (random() < 0.2) out.load_balancing_weight = pick([1, 0, 200]);
      return out;
    };
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const locality: Record<string, unknown> = {
        lb_endpoints: Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => lbEndpoint(k)),
      };
      if (random() < 0.2) locality.locality = { zone: pick(['z1', '']) };
      if (random() < 0.1) locality.priority = pick([0, 1, 200]);
      const copy = structuredClone(locality);
      const item = (copy.lb_endpoints as Record<string, unknown>[])[0]!;
      const socket = ((item.endpoint as Record<string, Record<string, unknown>>).address!.socket_address ??
        {}) as Record<string, unknown>;
      const r = random();
      if (r < 0.15) socket.port_value = null;
      else if (r < 0.3) socket.address = 5;
      else if (r < 0.45) socket.unknown_field = 'x';
      else if (r < 0.55)
        (item.endpoint as Record<string, unknown>).address = { pipe: { path: '/p' }, socket_address: socket };
      else if (r < 0.65) item.endpoint_name = 'named';
      else if (r < 0.75)
        delete (item.endpoint as Record<string, Record<string, unknown>>).address!.socket_address;
      else if (r < 0.85) copy.lb_endpoints = [];
      else socket.portValue = 1;
      for (const json of [locality, copy]) {
        const { item: verdict, planned } = listItemVerdicts(localityDesc, json);
        expect(verdict, JSON.stringify(json)).toBe(planned);
        for (const e of (json.lb_endpoints as unknown[]) ?? []) {
          const each = listItemVerdicts(endpointDesc, e);
          expect(each.item, JSON.stringify(e)).toBe(each.planned);
        }
        if (verdict) {
          accepted++;
          const resource = {
            // (In a cluster: a top-level ClusterLoadAssignment takes IP addresses only.)
            '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
            name: 'c',
            type: 'STRICT_DNS',
            connect_timeout: '1s',
            load_assignment: { cluster_name: 'c', endpoints: [json] },
          };
          expect(checkResource(resource).ok, JSON.stringify(json)).toBe(true);
        } else refused++;
      }
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  }, 120_000);
});

describe('clusters judged by shape', () => {
  it('give the verdict of acceptPlanned, and never accept what the authoritative check refuses (random clusters, fixed seed)', () => {
    const random = seededRandom(1419);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const clusterDesc = fastMessageOfTypeUrl('type.googleapis.com/envoy.config.cluster.v3.Cluster')!;
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const ir: Record<string, unknown> = {
        name: pick([`c${i}`, `c${i}`, `c${i}`, '']),
        discovery: pick(['STRICT_DNS', 'LOGICAL_DNS', 'STATIC']),
        targets: Array.from({ length: Math.floor(random() * 3) }, (_, k) => ({
          host: pick([`10.0.0.${k}`, `10.1.0.${k}`, `svc-${k}.ns`, '']),
          port: pick([8080, 443, 9000, 8443, 70000]),
        })),
        connectTimeoutMs: pick([3000, 250, 1500, 5000, -1000]),
        lbPolicy: pick(['ROUND_ROBIN', 'MAGLEV', 'LEAST_REQUEST', 'NOPE']),
        dnsLookupFamily: pick(['V4_ONLY', 'AUTO']),
        provenance: [],
      };
      if (random() < 0.2) ir.tls = { sni: pick(['a.example', '']) };
      const cluster = lowerCluster(ir as never).resource;
      const copy = structuredClone(cluster);
      const target = random() < 0.5 ? copy : ((copy.load_assignment as Record<string, unknown>) ?? copy);
      // (Not '@type': validateResource picks the type by it before the fast path looks.)
      const keys = Object.keys(target).filter((k) => k !== '@type');
      const key = pick(keys);
      const r = random();
      if (r < 0.2) target[key] = null;
      else if (r < 0.35) target[key] = 7;
      else if (r < 0.5) delete target[key];
      else if (r < 0.6) target.unknown_field = 'x';
      else if (r < 0.7) target.connectTimeout = '1s';
      else if (r < 0.8) copy.eds_cluster_config = { eds_config: { ads: {} } };
      else target['@type'] = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
      for (const json of [cluster, copy]) {
        const { item, planned } = payloadVerdicts(clusterDesc, json);
        expect(item, JSON.stringify(json)).toBe(planned);
        if (item) {
          accepted++;
          expect(checkResource(json).ok, JSON.stringify(json)).toBe(true);
        } else refused++;
      }
    }
    expect(accepted).toBeGreaterThan(800);
    expect(refused).toBeGreaterThan(800);
  }, 120_000);
});
