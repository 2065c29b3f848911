import { emptyIR, type PassContext, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { HttpMapping } from '../model.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { httpMapping } from '../testing/http-mapping.js';
import { buildRouteGroups, compareGroups, groupsByPrefix, type RouteGroup } from './groups.js';

const reported: string[] = [];
const ctx = {
  ir: emptyIR(),
  report: (d: { code: string; resource?: { name: string } }) =>
    reported.push(`${d.code} ${d.resource?.name}`),
} as unknown as PassContext;

const mapping = httpMapping;

const order = (mappings: HttpMapping[]) =>
  buildRouteGroups(ctx, mappings).flatMap((g) => g.members.map((m) => m.mapping.name));

describe('Emissary route order', () => {
  it('orders by precedence, then prefix length (oracle 10)', () => {
    expect(
      order([
        mapping('users', { prefix: '/api/v1/users/' }),
        mapping('catch-all', { prefix: '/api/', precedence: 10 }),
        mapping('v2', { prefix: '/api/v2/', precedence: 5 }),
        mapping('debug', { prefix: '/api/v2/debug/', precedence: -1 }),
      ]),
    ).toEqual(['catch-all', 'v2', 'users', 'debug']);
  });

  it('breaks prefix-length ties by reverse prefix text (oracle 02)', () => {
    expect(
      order([mapping('readyz', { prefix: '/readyz' }), mapping('status', { prefix: '/status' })]),
    ).toEqual(['status', 'readyz']);
  });

  it('then by header-match text length, regexes counting one more (oracle 05, 06)', () => {
    expect(
      order([
        mapping('none', { prefix: '/m/' }),
        mapping('post', { prefix: '/m/', method: 'POST' }),
        mapping('delete', { prefix: '/m/', method: 'DELETE' }),
        mapping('get-head', { prefix: '/m/', method: 'GET|HEAD', method_regex: true }),
      ]),
    ).toEqual(['get-head', 'delete', 'post', 'none']);
  });

  it('then by query-match text length (oracle 07)', () => {
    expect(
      order([
        mapping('plain', { prefix: '/search' }),
        mapping('engine', { prefix: '/search', query_parameters: { engine: 'next' } }),
        mapping('page', { prefix: '/search', regex_query_parameters: { page: '^[0-9]{2,}$' } }),
      ]),
    ).toEqual(['page', 'engine', 'plain']);
  });
});

describe('route match headers', () => {
  it("leaves out an :authority header that became the Mapping's authority, and keeps it under a hostname", () => {
    const names = (m: HttpMapping) =>
      buildRouteGroups(ctx, [m])[0]!.match.headers?.map((h) => `${h.name}=${JSON.stringify(h.match)}`);
    // No hostname or host: ingest made the :authority header the Mapping's authority.
    expect(
      names(
        mapping('by-header', {
          prefix: '/h/',
          headers: { ':authority': 'a.example.com', 'x-team': 'blue' },
          regex_headers: { 'x-id': '^[0-9]+$' },
        }),
      ),
    ).toEqual(['x-id={"regex":"^[0-9]+$"}', 'x-team={"exact":"blue"}']);
    // With a hostname, an :authority header is one more header to match.
    expect(
      names(
        mapping('with-host', { prefix: '/h/', hostname: 'b.example.com', headers: { ':authority': 'c' } }),
      ),
    ).toEqual([':authority={"exact":"c"}']);
  });
});

describe('canary groups', () => {
  it('puts weighted Mappings first with cumulative numerators (oracle 39)', () => {
    const [group] = buildRouteGroups(ctx, [
      mapping('v1', { prefix: '/r/' }),
      mapping('v2', { prefix: '/r/', weight: 10 }),
    ]);
    expect(group?.members.map((m) => [m.mapping.name, m.cumulative])).toEqual([
      ['v2', 10],
      ['v1', 100],
    ]);
  });

  it('reports a second unweighted Mapping with the same match as a conflict', () => {
    reported.length = 0;
    const [group] = buildRouteGroups(ctx, [mapping('a', { prefix: '/x/' }), mapping('b', { prefix: '/x/' })]);
    expect(group?.members.map((m) => m.mapping.name)).toEqual(['a']);
    expect(reported).toEqual(['MAPPING_CONFLICT b']);
  });

  it('keeps different hostnames apart', () => {
    reported.length = 0;
    const groups = buildRouteGroups(ctx, [
      mapping('a', { prefix: '/x/', hostname: 'a.example.com' }),
      mapping('b', { prefix: '/x/', hostname: 'b.example.com' }),
    ]);
    expect(groups).toHaveLength(2);
    expect(reported).toEqual([]);
  });
});

describe('Mappings without hostname', () => {
  it('form separate groups when different Hosts select them (Emissary canary_groups/mapping_selector)', () => {
    reported.length = 0;
    const foo = { ...mapping('foo', { prefix: '/test/' }), labels: { host: 'foo' } };
    const bar = { ...mapping('bar', { prefix: '/test/' }), labels: { host: 'bar' } };
    const groups = buildRouteGroups(ctx, [foo, bar], (m) => `host-${m.labels.host}`);
    expect(groups).toHaveLength(2);
    expect(reported).toEqual([]);
  });

  it('share a group when the same Hosts select them, whatever other labels say', () => {
    const a = { ...mapping('a', { prefix: '/test/' }), labels: { host: 'foo', x: '1' } };
    const b = { ...mapping('b', { prefix: '/test/', weight: 10 }), labels: { host: 'foo', x: '2' } };
    const groups = buildRouteGroups(ctx, [a, b], (m) => `host-${m.labels.host}`);
    expect(groups.map((g) => g.members.map((m) => m.mapping.name))).toEqual([['b', 'a']]);
  });
});

describe('route order at scale', () => {
  // The bucketed sort must give exactly the order of the plain comparator, whatever the input order.
  const spec = (i: number): Partial<MappingSpec> => ({
    prefix: `/p${'x'.repeat(i % 7)}/${(i * 7919) % 1000}/`,
    ...(i % 3 === 0 ? { precedence: (i % 5) - 2 } : {}),
    ...(i % 4 === 0 ? { headers: { [`x-h${i % 3}`]: 'v'.repeat(i % 5) } } : {}),
    ...(i % 6 === 0 ? { query_parameters: { q: 'w'.repeat(i % 4) } } : {}),
    ...(i % 5 === 0 ? { method: i % 2 ? 'POST' : 'GET' } : {}),
  });
  const many = Array.from({ length: 600 }, (_, i) => mapping(`m${i}`, spec(i)));
  const reference = (list: HttpMapping[]) => {
    const weight = (m: HttpMapping) => [
      m.spec.precedence ?? 0,
      m.spec.prefix.length,
      Object.entries(m.spec.headers ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0) +
        (m.spec.method ? ':method'.length + m.spec.method.length : 0),
      Object.entries(m.spec.query_parameters ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0),
    ];
    return [...list]
      .sort((a, b) => {
        const x = weight(a);
        const y = weight(b);
        for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
        if (a.spec.prefix !== b.spec.prefix) return a.spec.prefix < b.spec.prefix ? 1 : -1;
        const ma = a.spec.method ?? 'GET';
        const mb = b.spec.method ?? 'GET';
        if (ma !== mb) return ma < mb ? 1 : -1;
        return 0;
      })
      .map((m) => m.name);
  };

  it('is the comparator order for 600 Mappings in forward and reversed input', () => {
    const forward = order(many);
    expect(order([...many].reverse())).toEqual(forward);
    // Equal weights and texts (distinct only by headers' values) may tie in the reference: compare where it decides.
    const expected = reference(many);
    const position = new Map(forward.map((name, i) => [name, i]));
    for (let i = 1; i < expected.length; i++) {
      const a = many.find((m) => m.name === expected[i - 1])!;
      const b = many.find((m) => m.name === expected[i])!;
      const tie = reference([a, b])[0] === reference([b, a])[0];
      if (!tie) expect(position.get(expected[i - 1]!)! < position.get(expected[i]!)!).toBe(true);
    }
  });

  it('is the comparator order when many groups share a prefix (methods, hostnames, header values)', () => {
    // Few prefixes of one length, so the packed buckets hold groups sharing a prefix text.
    const shared = Array.from({ length: 400 }, (_, i) =>
      mapping(`s${i}`, {
        prefix: `/s${(i * 31) % 7}/`,
        ...(i % 3 === 0 ? { method: ['GET', 'POST', 'PUT'][i % 9 === 0 ? 1 : 2] } : {}),
        ...(i % 4 === 1 ? { hostname: `h${i % 5}.example` } : {}),
        ...(i % 5 === 2 ? { headers: { 'x-k': `${'v'.repeat(i % 2)}${i % 3}` } } : {}),
        weight: 1,
      }),
    );
    for (const list of [shared, [...shared].reverse()]) {
      const groups = buildRouteGroups(ctx, list);
      expect(groups.length).toBeGreaterThan(40);
      expect(groups.map((g) => g.key)).toEqual([...groups].sort(compareGroups).map((g) => g.key));
    }
  });

  it('falls back to the plain comparator when a precedence does not pack (non-integer or huge)', () => {
    const odd = [
      mapping('huge', { prefix: '/a/', precedence: 1e9 }),
      mapping('frac', { prefix: '/bb/', precedence: 0.5 }),
      mapping('zero', { prefix: '/ccc/' }),
      mapping('neg', { prefix: '/dddd/', precedence: -1e9 }),
    ];
    expect(order(odd)).toEqual(['huge', 'frac', 'zero', 'neg']);
    expect(order([...odd].reverse())).toEqual(['huge', 'frac', 'zero', 'neg']);
  });
});

describe('buildRouteGroups', () => {
  /** Everything a group is, as text: its key, criteria, match, members, shadows and flags. */
  const view = (g: RouteGroup) =>
    JSON.stringify([
      g.key,
      g.match,
      g.authority ?? null,
      g.members.map((m) => [m.mapping.name, m.cumulative ?? null]),
      g.shadows.map((m) => m.name),
      g.runtimeKey,
      g.single ?? null,
      g.precedence,
      g.prefixLength,
      g.headerLength,
      g.queryLength,
      g.prefix,
      g.method,
    ]);

  it('gives the groups, route order and diagnostics of groupsByPrefix over random Mappings', () => {
    const random = seededRandom(1703);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let shared = 0;
    let diagnostics = 0;
    for (let step = 0; step < 400; step++) {
      const n = 1 + Math.floor(random() * 40);
      const prefixes = Array.from(
        { length: 1 + Math.floor(random() * n) },
        (_, i) => `/p${i % 7}/${'x'.repeat(i % 3)}`,
      );
      const list: HttpMapping[] = [];
      for (let i = 0; i < n; i++) {
        const spec: Partial<MappingSpec> = { prefix: pick(prefixes) };
        if (random() < 0.2) spec.precedence = random() < 0.02 ? 1e9 : pick([1, -1, 10]);
        if (random() < 0.2) spec.method = pick(['GET', 'POST']);
        if (random() < 0.3) spec.hostname = pick(['a.example', '*', '*.example']);
        if (random() < 0.15) spec.headers = { 'x-k': pick(['1', '22']) };
        if (random() < 0.1) spec.query_parameters = { q: pick(['1', '22']) };
        if (random() < 0.3) spec.weight = pick([0, 10, 50, 60]);
        if (random() < 0.1) spec.shadow = true;
        if (random() < 0.05) spec.prefix_regex = true;
        list.push(httpMapping(`m${i}`, spec));
      }
      const selecting = random() < 0.3 ? (m: HttpMapping) => `h${m.name.length % 2}` : undefined;
      const memo = random() < 0.3 ? {} : undefined;
      const got: string[] = [];
      const want: string[] = [];
      const recording = (into: string[]) =>
        ({
          ir: emptyIR(),
          memo,
          report: (d: { code: string; resource?: { name: string }; message: string }) =>
            into.push(`${d.code} ${d.resource?.name} ${d.message}`),
        }) as unknown as PassContext;
      const a = buildRouteGroups(recording(got), list, selecting);
      const b = groupsByPrefix(recording(want), list, selecting, memo !== undefined);
      expect(a.map(view)).toEqual(b.map(view));
      expect(got).toEqual(want);
      if (b.some((g) => g.members.length + g.shadows.length > 1)) shared++;
      diagnostics += want.length;
    }
    // Not a vacuous pass: groups of several Mappings, and diagnostics to order, many times.
    expect(shared).toBeGreaterThan(200);
    expect(diagnostics).toBeGreaterThan(200);
  });
});
