import { describe, expect, it } from 'vitest';
import { fastMessageOfTypeUrl } from './fast-descriptors.js';
import {
  validationFixtures as fixtures,
  type JsonObject,
  keyMutations,
  mutations,
  randomMutations,
  seededRandom,
} from './testing/validation-corpus.js';
import { checkResource } from './validate.js';
import { fastAccepts, withAcceptedMemo } from './validate-fast.js';

// (The descriptors validateResource gives it: the build's table, fast-descriptors.ts.)
const fast = (json: JsonObject) => fastAccepts(fastMessageOfTypeUrl(json['@type'] as string)!, json, true);
const authoritative = (json: JsonObject) => checkResource(json).ok;

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

describe('fast validation path, keys added', () => {
  it('never accepts what the authoritative check rejects: two members of a oneof, a field under both its names', () => {
    let checked = 0;
    let rejected = 0;
    for (const json of fixtures()) {
      for (const mutated of keyMutations(json)) {
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
    expect(checked).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(checked / 4);
  });

  it('never accepts what the authoritative check rejects: random mutations at up to three places (fixed seed)', () => {
    const random = seededRandom(15);
    let checked = 0;
    let rejected = 0;
    for (const json of fixtures()) {
      for (const mutated of randomMutations(json, random, 150)) {
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
    expect(checked).toBe(fixtures().length * 150);
    expect(rejected).toBeGreaterThan(checked / 4);
  }, 180_000);

  it('accepts a field under its JSON name, and refuses it under both names as the authoritative check does', () => {
    const listener = fixtures().find((json) => typeof json.stat_prefix === 'string')!;
    const { stat_prefix: statPrefix, ...rest } = listener;
    const jsonNamed: JsonObject = { ...rest, statPrefix: statPrefix! };
    expect(authoritative(listener)).toBe(true);
    expect(authoritative(jsonNamed)).toBe(true);
    expect(fast(jsonNamed)).toBe(true);
    const both: JsonObject = { ...listener, statPrefix: statPrefix! };
    expect(authoritative(both)).toBe(false);
    expect(fast(both)).toBe(false);
  });
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

  it('gives the verdicts of a walk without memo: random route tables sharing lists short and long (fixed seed)', () => {
    const random = seededRandom(15);
    const pick = (n: number) => Math.floor(random() * n);
    // Routes and lists shared by identity between tables, as lowering shares them; some invalid.
    const routes = Array.from({ length: 200 }, (_, i) => route(pick(50) === 0 ? '' : `c${i}`));
    const lists = Array.from({ length: 30 }, () =>
      Array.from({ length: [1, 2, 15, 16, 17, 40][pick(6)]! }, () => routes[pick(routes.length)]!),
    );
    const tables = Array.from({ length: 200 }, () => {
      const virtualHosts = Array.from({ length: 1 + pick(3) }, (_, v) => ({
        name: `vh${v}`,
        domains: [`d${v}.example`],
        routes: lists[pick(lists.length)]!,
      }));
      return { ...routeConfig([]), virtual_hosts: virtualHosts } as JsonObject;
    });
    const plain = tables.map((table) => fast(table));
    expect(plain.filter((ok) => ok).length).toBeGreaterThan(20);
    expect(plain.filter((ok) => !ok).length).toBeGreaterThan(20);
    const memoized = withAcceptedMemo(() => tables.map((table) => fast(table)));
    expect(memoized).toEqual(plain);
    expect(plain).toEqual(tables.map(authoritative));
  });

  it('gives the same verdicts once a seldom shared item type is no longer remembered (fixed seed)', () => {
    const random = seededRandom(1313);
    const pick = (n: number) => Math.floor(random() * n);
    // Thousands of routes met once (the trial ends with the memo off for routes), a few met
    // again and again, some of both kinds invalid; in one-shot memos and a kept one.
    const tables = (seldom: number) => {
      const shared = Array.from({ length: 20 }, (_, i) => route(pick(6) === 0 ? '' : `s${i}`));
      return Array.from({ length: 300 }, () => {
        const routes = Array.from({ length: 1 + pick(20) }, (_, i) =>
          pick(seldom) === 0 ? shared[pick(shared.length)]! : route(pick(100) === 0 ? '' : `c${i}`),
        );
        // One virtual host (routeConfig's two would share the list, met again every time).
        return { ...routeConfig([]), virtual_hosts: [{ name: 'a', domains: ['a.example'], routes }] };
      });
    };
    for (const seldom of [2, 40, 1000]) {
      const list = tables(seldom);
      const plain = list.map((table) => fast(table));
      expect(plain.filter((ok) => !ok).length).toBeGreaterThan(5);
      expect(withAcceptedMemo(() => list.map((table) => fast(table)))).toEqual(plain);
      // Twice in one memo: the second time every item has been seen (or was left out).
      expect(withAcceptedMemo(() => [...list, ...list].map((table) => fast(table)))).toEqual([
        ...plain,
        ...plain,
      ]);
      const kept = new WeakMap<object, unknown>();
      expect(withAcceptedMemo(() => list.map((table) => fast(table)), kept)).toEqual(plain);
      expect(withAcceptedMemo(() => list.map((table) => fast(table)), kept)).toEqual(plain);
    }
  });
});
