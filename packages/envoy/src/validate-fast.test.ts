import { describe, expect, it } from 'vitest';
import { buildAdsBootstrap } from './bootstrap.js';
import { messageDesc, typeNameOfUrl } from './registry.js';
import { compileIR, readIR } from './testing/golden.js';
import { checkResource } from './validate.js';
import { fastAccepts, withAcceptedMemo } from './validate-fast.js';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

const fast = (json: JsonObject) =>
  fastAccepts(messageDesc(typeNameOfUrl(json['@type'] as string)), json, true);
const authoritative = (json: JsonObject) => checkResource(json).ok;

/** Every single-point mutation of a JSON document: the shapes a producer bug or a user typo would make. */
function* mutations(root: JsonObject): Generator<JsonObject> {
  const paths: Array<Array<string | number>> = [];
  const walk = (value: JsonValue, path: Array<string | number>) => {
    paths.push(path);
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(root, []);
  const replacements = (value: JsonValue): JsonValue[] => {
    if (typeof value === 'string') return ['', 'x\ny', 70000];
    if (typeof value === 'number') return [0, 70000, 4294967296, 1.5, '12'];
    if (typeof value === 'boolean') return ['true'];
    if (Array.isArray(value)) return [[], [null]];
    if (value && typeof value === 'object') return [{}, { unknown_field: 1 }];
    return [];
  };
  for (const path of paths) {
    if (path.length === 0) continue;
    const parentPath = path.slice(0, -1);
    const key = path.at(-1)!;
    const original = parentPath.reduce<JsonValue>(
      (v, k) => (v as Record<string | number, JsonValue>)[k]!,
      root,
    );
    const current = (original as Record<string | number, JsonValue>)[key]!;
    if (key === '@type') continue;
    for (const replacement of [...replacements(current), undefined]) {
      const copy = structuredClone(root);
      const parent = parentPath.reduce<JsonValue>(
        (v, k) => (v as Record<string | number, JsonValue>)[k]!,
        copy,
      ) as JsonValue[] | JsonObject;
      if (replacement === undefined) {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
      } else (parent as Record<string | number, JsonValue>)[key] = replacement;
      yield copy;
    }
  }
}

const fixtures = (): JsonObject[] => [
  ...Object.values(compileIR(readIR('full-ir.in.yaml')).xds)
    .flat()
    .map((r) => r.resource as JsonObject),
  {
    '@type': 'type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap',
    ...(buildAdsBootstrap({
      node: { id: 'n', cluster: 'c' },
      ads: { host: '127.0.0.1', port: 18000 },
    }) as JsonObject),
  },
];

describe('fast validation path', () => {
  it('accepts the valid fixtures itself (otherwise it saves nothing)', () => {
    for (const json of fixtures()) {
      expect(fast(json), `${json['@type']} ${json.name}`).toBe(true);
    }
  });

  it('never accepts what the authoritative check rejects (single-point mutations of every fixture)', () => {
    let checked = 0;
    let rejected = 0;
    for (const json of fixtures()) {
      for (const mutated of mutations(json)) {
        checked++;
        const ok = authoritative(mutated);
        if (!ok) rejected++;
        if (fast(mutated) && !ok) {
          expect.fail(
            `fast path accepted an invalid resource: ${JSON.stringify(checkResource(mutated).issues)}`,
          );
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(checked / 4);
  }, 180_000);
});

describe('withAcceptedMemo', () => {
  const route = (cluster: string): JsonObject => ({ name: 'r', match: { prefix: '/' }, route: { cluster } });
  const routeConfig = (routes: JsonObject[]): JsonObject => ({
    '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    name: 'rc',
    virtual_hosts: [
      { name: 'a', domains: ['a.example'], routes },
      { name: 'b', domains: ['b.example'], routes },
    ],
  });

  it('accepts a route shared by several virtual hosts, and still rejects a shared invalid one', () => {
    const good = route('quote');
    const bad = route('');
    withAcceptedMemo(() => {
      expect(fast(routeConfig([good]))).toBe(true);
      expect(fast(routeConfig([good]))).toBe(true);
      expect(fast(routeConfig([good, bad]))).toBe(false);
      expect(fast(routeConfig([bad]))).toBe(false);
    });
  });

  it('judges a per-filter config (an Any) shared by many routes once, and still rejects a shared invalid one', () => {
    const perRoute = (disabled: boolean | string): JsonObject => ({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute',
      disabled,
    });
    const withConfig = (name: string, config: JsonObject): JsonObject => ({
      ...route('quote'),
      name,
      typed_per_filter_config: { 'envoy.filters.http.ext_authz': config },
    });
    const off = perRoute(true);
    const broken = perRoute('yes');
    withAcceptedMemo(() => {
      expect(fast(routeConfig([withConfig('a', off), withConfig('b', off)]))).toBe(true);
      expect(fast(routeConfig([withConfig('c', off)]))).toBe(true);
      expect(fast(routeConfig([withConfig('d', broken)]))).toBe(false);
      expect(fast(routeConfig([withConfig('e', off), withConfig('f', broken)]))).toBe(false);
    });
  });

  it('remembers verdicts only while active', () => {
    const shared = route('quote');
    withAcceptedMemo(() => expect(fast(routeConfig([shared]))).toBe(true));
    shared.route = { cluster: '' };
    expect(fast(routeConfig([shared]))).toBe(false);
  });
});
