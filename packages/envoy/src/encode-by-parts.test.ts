import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeMessage, encodeMessage } from './encode.js';
import { RouteTableEncoder } from './encode-by-parts.js';

const RC = 'envoy.config.route.v3.RouteConfiguration';
const VH = 'envoy.config.route.v3.VirtualHost';
type Json = Record<string, unknown>;

/** Both encodings decode to the same message (the by-parts bytes may order fields differently). */
function expectSameMessage(encoder: RouteTableEncoder, typeName: string, json: Json): void {
  const { '@type': _type, ...body } = json;
  const reference = decodeMessage(typeName, encodeMessage(typeName, body));
  const byParts = decodeMessage(typeName, encoder.encode(json, typeName));
  expect(byParts).toEqual(reference);
}

/** Every RouteConfiguration of the plugins' golden outputs. */
function goldenRouteConfigurations(): Array<{ file: string; json: Json }> {
  const plugins = fileURLToPath(new URL('../../../plugins', import.meta.url));
  const out: Array<{ file: string; json: Json }> = [];
  for (const plugin of readdirSync(plugins)) {
    const dir = `${plugins}/${plugin}/src/testdata`;
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.out.yaml'));
    } catch {
      continue;
    }
    for (const file of files) {
      const doc = parse(readFileSync(`${dir}/${file}`, 'utf8')) as Record<
        string,
        Array<{ resource: Json }>
      > | null;
      for (const entry of doc?.[RC] ?? []) out.push({ file: `${plugin}/${file}`, json: entry.resource });
    }
  }
  return out;
}

/** A small deterministic PRNG (tests must be reproducible). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomRoute(rand: () => number, i: number): Json {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const match: Json = pick([
    { prefix: `/svc-${i}/` },
    { path: `/exact/${i}` },
    { safeRegex: { regex: `^/re/${i}/[a-z]+$` } },
  ]);
  if (rand() < 0.3) match.headers = [{ name: 'x-canary', stringMatch: { exact: `${i % 3}` } }];
  if (rand() < 0.2) match.caseSensitive = false;
  const route: Json =
    rand() < 0.7
      ? { cluster: `cluster_${i}`, timeout: `${1 + (i % 5)}s` }
      : {
          weightedClusters: {
            clusters: [
              { name: `cluster_${i}_a`, weight: 1 + (i % 7) },
              { name: `cluster_${i}_b`, weight: 3 },
            ],
          },
        };
  if (rand() < 0.4) route.prefixRewrite = '/';
  if (rand() < 0.3) route.retryPolicy = { retryOn: '5xx', numRetries: 1 + (i % 3) };
  const out: Json = { match, route };
  if (rand() < 0.5) out.name = `route-${i}`;
  if (rand() < 0.3) out.requestHeadersToAdd = [{ header: { key: 'x-route', value: `${i}` } }];
  if (rand() < 0.2) out.metadata = { filterMetadata: { attache: { mapping: `default/m${i}`, n: i } } };
  return out;
}

function randomTable(seed: number, hosts: number, routesPerHost: number): Json {
  const rand = prng(seed);
  let n = 0;
  return {
    '@type': `type.googleapis.com/${RC}`,
    name: `rc-${seed}`,
    validateClusters: false,
    virtualHosts: Array.from({ length: hosts }, (_, h) => ({
      name: `host-${h}`,
      domains: [h === 0 ? '*' : `h${h}.example.com`],
      ...(rand() < 0.5 ? { includeRequestAttemptCount: true } : {}),
      routes: Array.from({ length: routesPerHost }, () => randomRoute(rand, n++)),
    })),
  };
}

const hostsOf = (rc: Json) => rc.virtualHosts as Json[];
const routesOf = (host: Json) => host.routes as Json[];

describe('RouteTableEncoder', () => {
  it('decodes to the same message as toBinary for every golden RouteConfiguration', () => {
    const goldens = goldenRouteConfigurations();
    expect(goldens.length).toBeGreaterThan(50);
    const encoder = new RouteTableEncoder();
    for (const { file, json } of goldens) {
      const { '@type': _type, ...body } = json;
      const reference = decodeMessage(RC, encodeMessage(RC, body));
      expect(decodeMessage(RC, encoder.encode(json)), file).toEqual(reference);
      // Again: now from the cache.
      expect(decodeMessage(RC, encoder.encode(json)), file).toEqual(reference);
    }
    expect(encoder.routesEncoded).toBeGreaterThan(goldens.length);
  });

  it('decodes to the same message for random route tables, in either field naming', () => {
    const encoder = new RouteTableEncoder();
    for (let seed = 1; seed <= 20; seed++) {
      const table = randomTable(seed, 1 + (seed % 4), 5 + seed * 3);
      expectSameMessage(encoder, RC, table);
      const snake = {
        name: table.name,
        virtual_hosts: hostsOf(table).map(({ routes, ...rest }) => ({ ...rest, routes })),
      };
      expectSameMessage(encoder, RC, snake);
    }
  });

  it('stays exact through edits that change, add, remove and reorder routes and virtual hosts', () => {
    const encoder = new RouteTableEncoder();
    const rand = prng(99);
    let table = randomTable(7, 4, 40);
    expectSameMessage(encoder, RC, table);
    for (let step = 0; step < 60; step++) {
      const hosts: Json[] = hostsOf(table).map((h) => ({ ...h, routes: [...routesOf(h)] }));
      const host = hosts[Math.floor(rand() * hosts.length)] as Json;
      const routes = routesOf(host);
      const at = Math.floor(rand() * routes.length);
      switch (step % 7) {
        case 0: // change a route (a new object)
          routes[at] = { ...(routes[at] as Json), route: { cluster: `changed_${step}` } };
          break;
        case 1: // add a route
          routes.splice(at, 0, randomRoute(rand, 1000 + step));
          break;
        case 2: // remove a route
          routes.splice(at, 1);
          break;
        case 3: // reorder routes
          routes.reverse();
          break;
        case 4: // reorder virtual hosts
          hosts.reverse();
          break;
        case 5: // add a virtual host, then remove another one
          hosts.push({
            name: `added-${step}`,
            domains: [`a${step}.example.com`],
            routes: [randomRoute(rand, step)],
          });
          hosts.splice(Math.floor(rand() * (hosts.length - 1)), 1);
          break;
        default: // change a virtual host's own fields
          host.domains = [`d${step}.example.com`, ...(host.domains as string[])];
      }
      table = { ...table, virtualHosts: hosts };
      expectSameMessage(encoder, RC, table);
      // Stale entries are dropped once they outnumber a host's routes.
      const bound = hosts.reduce((n, h) => n + 2 * routesOf(h).length + 16, 0);
      expect(encoder.cachedRoutes).toBeLessThanOrEqual(bound);
    }
  });

  it('re-encodes only the changed route after a one-route change', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(3, 1, 500);
    encoder.encode(table);
    expect(encoder.routesEncoded).toBe(500);
    const host = hostsOf(table)[0] as Json;
    const routes = [...routesOf(host)];
    routes[250] = { match: { prefix: '/new/' }, route: { cluster: 'new' } };
    const edited = { ...table, virtualHosts: [{ ...host, routes }] };
    expectSameMessage(encoder, RC, edited);
    expect(encoder.routesEncoded).toBe(501);
    // A fresh copy (as parsed from JSON text) of the same table hits the cache: keys are the text, not the objects.
    encoder.encode(JSON.parse(JSON.stringify(edited)) as Json);
    expect(encoder.routesEncoded).toBe(501);
  });

  it('keeps a table cached across an encoding of a same-named table without virtual hosts (the VHDS form)', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(4, 1, 100);
    encoder.encode(table);
    const vhdsForm = {
      name: table.name,
      vhds: { configSource: { ads: {}, resourceApiVersion: 'V3' } },
    };
    expectSameMessage(encoder, RC, vhdsForm);
    expectSameMessage(encoder, RC, table);
    expect(encoder.routesEncoded).toBe(100);
  });

  it('never serves a stale route after the same object changed in place', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(5, 2, 30);
    expectSameMessage(encoder, RC, table);
    const route = routesOf(hostsOf(table)[1] as Json)[10] as Json;
    route.route = { cluster: 'mutated_in_place', timeout: '9s' };
    expectSameMessage(encoder, RC, table);
    (hostsOf(table)[0] as Json).domains = ['mutated.example.com'];
    expectSameMessage(encoder, RC, table);
    const decoded = decodeMessage(RC, encoder.encode(table)) as { virtualHosts: Json[] };
    expect(JSON.stringify(decoded)).toContain('mutated_in_place');
  });

  it('encodes VHDS VirtualHost resources by parts', () => {
    const encoder = new RouteTableEncoder();
    const host = { ...(hostsOf(randomTable(11, 1, 200))[0] as Json), '@type': `type.googleapis.com/${VH}` };
    expectSameMessage(encoder, VH, host);
    const routes = [...routesOf(host)];
    routes.splice(17, 1);
    routes.push({ match: { prefix: '/' }, directResponse: { status: 404 } });
    expectSameMessage(encoder, VH, { ...host, routes });
    expect(encoder.routesEncoded).toBe(201);
  });

  it('drops stale route entries once they outnumber the routes', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(8, 1, 10);
    const host = hostsOf(table)[0] as Json;
    for (let round = 0; round < 10; round++) {
      const routes = routesOf(host).map((r, i) => ({ ...r, route: { cluster: `round_${round}_${i}` } }));
      expectSameMessage(encoder, RC, { ...table, virtualHosts: [{ ...host, routes }] });
      expect(encoder.cachedRoutes).toBeLessThanOrEqual(2 * 10 + 16);
    }
    expect(encoder.routesEncoded).toBe(100);
  });

  it('returns bytes the caller may overwrite without touching the cache', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(12, 2, 50);
    encoder.encode(table).fill(0);
    const host = hostsOf(table)[1] as Json;
    const routes = [...routesOf(host)];
    routes[3] = { match: { prefix: '/other/' }, route: { cluster: 'other' } };
    const edited = { ...table, virtualHosts: [hostsOf(table)[0], { ...host, routes }] };
    expectSameMessage(encoder, RC, edited);
    encoder.encode(edited).fill(0);
    expectSameMessage(encoder, RC, table);
    expect(encoder.routesEncoded).toBe(101);
  });

  it('keeps at most maxCachedRoutes route entries over resource names', () => {
    const encoder = new RouteTableEncoder({ maxCachedRoutes: 100 });
    for (let seed = 1; seed <= 5; seed++) encoder.encode(randomTable(seed, 1, 40));
    expect(encoder.cachedRoutes).toBeLessThanOrEqual(100);
    expect(encoder.cachedRoutes).toBeGreaterThan(0);
  });

  it('rejects what fromJson rejects, as the whole encoding does', () => {
    const encoder = new RouteTableEncoder();
    const bad = {
      name: 'x',
      virtualHosts: [{ name: 'v', domains: ['*'], routes: [{ match: { nope: 1 } }] }],
    };
    expect(() => encodeMessage(RC, bad)).toThrow();
    expect(() => encoder.encode(bad, RC)).toThrow();
  });
});

describe('RouteTableEncoder.encodeText', () => {
  const typed = (json: Json): Json => ({ '@type': `type.googleapis.com/${RC}`, ...json });

  it('gives the bytes encode() gives, for every golden RouteConfiguration, first whole and then by its text', () => {
    const byObject = new RouteTableEncoder();
    const byText = new RouteTableEncoder();
    for (const { file, json } of goldenRouteConfigurations()) {
      const table = typed(json);
      const text = JSON.stringify(table);
      for (let round = 0; round < 2; round++) {
        expect(
          Buffer.from(byText.encodeText(text)!.bytes).equals(Buffer.from(byObject.encode(table))),
          file,
        ).toBe(true);
      }
    }
    expect(byText.routesEncoded).toBe(byObject.routesEncoded);
  });

  it('stays byte for byte equal to encode() through edits, parsing only the routes it has not seen', () => {
    const byObject = new RouteTableEncoder();
    const byText = new RouteTableEncoder();
    const rand = prng(7);
    let table = randomTable(11, 5, 60);
    byText.encodeText(JSON.stringify(table))!.bytes;
    byObject.encode(table);
    for (let step = 0; step < 80; step++) {
      const hosts: Json[] = hostsOf(table).map((h) => (h.routes ? { ...h, routes: [...routesOf(h)] } : h));
      const withRoutes = hosts.filter((h) => h.routes);
      const host = withRoutes[Math.floor(rand() * withRoutes.length)] as Json;
      const routes = routesOf(host);
      const at = Math.floor(rand() * routes.length);
      switch (step % 6) {
        case 0:
          routes[at] = { ...(routes[at] as Json), route: { cluster: `changed_${step}` } };
          break;
        case 1:
          routes.splice(at, 0, randomRoute(rand, 5000 + step));
          break;
        case 2:
          routes.splice(at, 1);
          break;
        case 3:
          hosts.reverse();
          break;
        case 4: // a host without routes, and one whose routes come first
          hosts.push({ name: `bare-${step}`, domains: [`b${step}.example.com`] });
          hosts.push({ routes: [randomRoute(rand, 9000 + step)], name: `first-${step}`, domains: ['x.io'] });
          break;
        default:
          host.domains = [`d${step}.example.com`, ...(host.domains as string[])];
      }
      table = { ...table, virtualHosts: hosts };
      const encodedBefore = byText.routesEncoded;
      const text = byText.encodeText(JSON.stringify(table))!.bytes;
      expect(Buffer.from(text).equals(Buffer.from(byObject.encode(table))), `step ${step}`).toBe(true);
      expect(byText.routesEncoded, `step ${step}`).toBe(byObject.routesEncoded);
      // A one-route change parses and encodes one route.
      if (step % 6 === 0) expect(byText.routesEncoded - encodedBefore).toBe(1);
    }
  });

  it('reads text that is not JSON.stringify output (spaces, escapes, snake_case, routes first) exactly', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(5, 3, 20);
    hostsOf(table)[1]!.name = 'host "quoted" \\ back\u00e9';
    routesOf(hostsOf(table)[0]!)[3] = {
      match: { prefix: '/"odd"/\\{[' },
      route: { cluster: 'c]}' },
      requestHeadersToAdd: [{ header: { key: 'x-\u2028', value: '"}]' } }],
    };
    // '@type' last, after routes holding an Any of their own.
    routesOf(hostsOf(table)[2]!)[0]!.typedPerFilterConfig = {
      'envoy.filters.http.ext_authz': {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute',
        disabled: true,
      },
    };
    const snake = {
      virtual_hosts: hostsOf(table).map(({ routes, ...rest }) => ({ routes, ...rest })),
      name: table.name,
      '@type': table['@type'],
    };
    const { '@type': _type, ...body } = snake;
    const reference = decodeMessage(RC, encodeMessage(RC, body));
    for (const text of [
      JSON.stringify(snake),
      JSON.stringify(snake, null, 2),
      JSON.stringify(snake, null, '\t'),
    ]) {
      expect(decodeMessage(RC, encoder.encodeText(text)!.bytes)).toEqual(reference);
      const again = encoder.encodeText(text)!;
      expect(again.typeName).toBe(RC);
      expect(decodeMessage(RC, again.bytes)).toEqual(reference);
    }
  });

  it('leaves other types to the caller', () => {
    const encoder = new RouteTableEncoder();
    const cluster = {
      '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      name: 'c',
      connectTimeout: '1s',
    };
    expect(encoder.encodeText(JSON.stringify(cluster))).toBeUndefined();
    expect(
      encoder.encodeText(JSON.stringify({ ...cluster, name: ['not', 'plain'] }, null, 1)),
    ).toBeUndefined();
  });

  it('refuses malformed text and what fromJson refuses, as encode() does', () => {
    const encoder = new RouteTableEncoder();
    const table = randomTable(6, 2, 10);
    encoder.encodeText(JSON.stringify(table));
    const text = JSON.stringify(table);
    expect(() => encoder.encodeText(text.slice(0, -2))).toThrow(SyntaxError);
    expect(() => encoder.encodeText(`${text.slice(0, -1)},}`)).toThrow(SyntaxError);
    const bad = {
      ...table,
      virtualHosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: 1 } }] }],
    };
    expect(() => encoder.encodeText(JSON.stringify(bad))).toThrow();
    expect(() => encoder.encode(bad)).toThrow();
  });
});
