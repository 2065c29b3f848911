import { seededRandom, TypeUrl, versionHashOfJson } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { chunkEnds, chunkMemo, RouteConfigText } from './json-text.js';
import { compileIR, readIR } from './testing/golden.js';

/** The digest of a list written out plainly: of its text, or of its chunks' digests (chunkEnds). */
function listDigest(items: readonly unknown[], textOf: (items: unknown[]) => string): string {
  const ends = chunkEnds(items);
  if (ends.length <= 1) return versionHashOfJson(textOf([...items]));
  return versionHashOfJson(
    ends.map((end, c) => versionHashOfJson(textOf(items.slice(c === 0 ? 0 : ends[c - 1], end)))).join(' '),
  );
}

/**
 * The version written out plainly: JSON.stringify of the config with each route
 * list replaced by its digest, and the virtual hosts by theirs when they are more than one chunk.
 */
function expectedVersion(routeConfig: Record<string, unknown>): string {
  const virtualHosts = routeConfig.virtual_hosts as unknown[];
  const digested = virtualHosts.map((vh) =>
    typeof vh === 'object' && vh !== null && Array.isArray((vh as { routes?: unknown }).routes)
      ? {
          ...vh,
          routes: `routes:${listDigest((vh as { routes: unknown[] }).routes, (items) => JSON.stringify(items))}`,
        }
      : vh,
  );
  const vhs =
    chunkEnds(digested).length <= 1
      ? digested
      : `virtual_hosts:${listDigest(digested, (items) => JSON.stringify(items))}`;
  return versionHashOfJson(JSON.stringify({ ...routeConfig, virtual_hosts: vhs }));
}

describe('RouteConfigText', () => {
  it('hashes JSON.stringify text for every route config of the full IR', () => {
    const texts = new RouteConfigText();
    for (const rc of compileIR(readIR('full-ir.in.yaml')).xds[TypeUrl.RouteConfiguration]) {
      expect(texts.version(rc.resource)).toBe(expectedVersion(rc.resource));
    }
  });

  it('reuses shared route lists, and writes what JSON.stringify writes for odd values', () => {
    const route = { name: 'r', match: { prefix: '/' }, skipped: undefined, route: { cluster: 'quote' } };
    const routes = [route, route];
    const routeConfig = {
      name: 'rc',
      absent: undefined,
      virtual_hosts: [
        { name: 'a', routes, typed_per_filter_config: { 'x/y': { '"q"': 1 } } },
        { name: 'b', routes },
        { name: 'c', routes: [route, undefined, 'not a route'] },
        'not a virtual host',
      ],
    };
    const texts = new RouteConfigText();
    expect(texts.version(routeConfig)).toBe(expectedVersion(routeConfig));
    expect(texts.version(routeConfig)).toBe(expectedVersion(routeConfig));
  });

  it('versions route configs by content: equal content, equal version; any route change, a new one', () => {
    const config = (prefix: string) => {
      const routes = [{ name: 'r', match: { prefix }, route: { cluster: 'quote' } }];
      return {
        name: 'rc',
        virtual_hosts: [
          { name: 'a', routes },
          { name: 'b', routes },
        ],
      };
    };
    const texts = new RouteConfigText();
    const a = config('/a');
    expect(texts.version(a)).toBe(new RouteConfigText().version(config('/a')));
    expect(texts.version(a)).not.toBe(texts.version(config('/b')));
    const renamed = { ...a, virtual_hosts: [a.virtual_hosts[0], { ...a.virtual_hosts[1]!, name: 'c' }] };
    expect(texts.version(renamed)).not.toBe(texts.version(a));
  });
});

describe('RouteConfigText with shared routes noted', () => {
  it('gives the same versions when routes are shared between lists, text made once per route', () => {
    const shared = { name: 'wildcard', match: { prefix: '/' }, route: { cluster: 'quote' } };
    const own = (n: number) => ({ name: `own-${n}`, match: { prefix: `/${n}/` }, route: { cluster: 'q' } });
    const configs = [0, 1, 2].map((n) => ({
      name: `rc-${n}`,
      virtual_hosts: [
        { name: `host-${n}`, routes: [own(n), shared, undefined, own(n + 10)] },
        { name: 'alone', routes: [own(n + 20)] },
        { name: 'only-shared', routes: [shared, shared] },
        { name: 'empty', routes: [] },
        { name: 'shared-last', routes: [undefined, own(n + 30), shared] },
        // Mostly routes of its own: serialized whole, natively (the shared route again).
        { name: 'mostly-own', routes: [own(n + 50), own(n + 51), own(n + 52), own(n + 53), shared] },
      ],
    }));
    const noted = new RouteConfigText();
    noted.noteSharedRoutes(configs.map((resource) => ({ resource })));
    let stringified = 0;
    const toJSON = () => {
      stringified++;
      return { name: 'wildcard', match: { prefix: '/' }, route: { cluster: 'quote' } };
    };
    Object.defineProperty(shared, 'toJSON', { value: toJSON, enumerable: false });
    for (const rc of configs) expect(noted.version(rc)).toBe(expectedVersion(rc));
    // Serialized once for the lists made mostly of shared routes, once more in each list made
    // mostly of its own routes, then once per occurrence by expectedVersion.
    expect(stringified).toBe(1 + configs.length + configs.length * 5);
  });
});

describe('chunked digests', () => {
  const route = (name: string, prefix = `/${name}/`) => ({
    name,
    match: { prefix },
    route: { cluster: 'c' },
  });

  it('cuts lists by content: an edit moves only the chunk ends around it', () => {
    const items = Array.from({ length: 2000 }, (_, i) => route(`r${i}`));
    const ends = chunkEnds(items);
    expect(ends.at(-1)).toBe(items.length);
    expect(ends.length).toBeGreaterThan(20);
    for (let c = 0; c < ends.length; c++) expect(ends[c]! - (ends[c - 1] ?? 0)).toBeLessThanOrEqual(128);
    // One item inserted at 1000: every end before it is the same, every end after it one further.
    const inserted = [...items.slice(0, 1000), route('new'), ...items.slice(1000)];
    const after = chunkEnds(inserted);
    const before = new Set(ends.filter((e) => e <= 1000));
    const later = new Set(ends.filter((e) => e > 1000).map((e) => e + 1));
    const moved = after.filter((e) => !before.has(e) && !later.has(e));
    expect(moved.length).toBeLessThanOrEqual(1);
    // Without names (or past 128 items without a boundary) chunks are cut by count.
    expect(chunkEnds(Array.from({ length: 300 }, () => ({})))).toEqual([128, 256, 300]);
    expect(chunkEnds([])).toEqual([]);
  });

  it('versions tables of long route lists and many virtual hosts as their chunks written out plainly', () => {
    const routes = Array.from({ length: 700 }, (_, i) => route(`r${i}`));
    const config = {
      name: 'rc',
      virtual_hosts: Array.from({ length: 300 }, (_, v) => ({
        name: `vh${v}`,
        domains: [`h${v}`],
        routes: v % 50 === 0 ? routes : [route(`own${v}`)],
      })),
    };
    expect(new RouteConfigText().version(config)).toBe(expectedVersion(config));
    const kept = {
      texts: new WeakMap(),
      digests: new WeakMap(),
      virtualHostTexts: new WeakMap(),
      chunks: chunkMemo(),
    };
    expect(new RouteConfigText(kept).version(config)).toBe(expectedVersion(config));
    const noted = new RouteConfigText();
    noted.noteSharedRoutes([{ resource: config }]);
    expect(noted.version(config)).toBe(expectedVersion(config));
  });

  it('gives a fresh computation’s version under an incremental compiler’s memo, over random edits', () => {
    const random = seededRandom(15);
    const int = (n: number) => Math.floor(random() * n);
    const kept = {
      texts: new WeakMap(),
      digests: new WeakMap(),
      virtualHostTexts: new WeakMap(),
      chunks: chunkMemo(),
    };
    let serial = 0;
    let routes = Array.from({ length: 900 }, (_, i) => route(`r${i}`));
    let hosts = Array.from({ length: 200 }, (_, v) => ({
      name: `vh${v}`,
      domains: [`h${v}`],
      routes: [route(`o${v}`)],
    }));
    for (let step = 0; step < 150; step++) {
      // Each step: new lists (as lowering makes them) with an item added, removed or changed.
      routes = [...routes];
      hosts = [...hosts];
      const at = int(routes.length);
      const edit = int(6);
      if (edit === 0) routes.splice(at, 0, route(`n${serial++}`));
      else if (edit === 1) routes.splice(at, 1);
      else if (edit === 2) routes[at] = route(routes[at]!.name, `/changed/${serial++}/`);
      else if (edit === 3)
        hosts.splice(int(hosts.length), 0, { name: `nv${serial++}`, domains: ['x'], routes: [] });
      else if (edit === 4) hosts.splice(int(hosts.length), 1);
      else {
        const v = int(hosts.length);
        hosts[v] = { ...hosts[v]!, domains: [`d${serial++}`] };
      }
      const config = {
        name: 'rc',
        virtual_hosts: [{ name: 'big', domains: ['*'], routes }, ...hosts],
      };
      const version = new RouteConfigText(kept).version(config);
      expect(version).toBe(new RouteConfigText().version(config));
      expect(version).toBe(expectedVersion(config));
    }
  });
});
