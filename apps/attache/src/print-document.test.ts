import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, seededRandom, sortKeys } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { canonicalDocumentPieces, inBatches, sortedView, writePiece } from './print-document.js';

/** The document's pieces as text (kept bytes decoded), as a writer of strings would be given them. */
const chunks = (document: Record<string, unknown[]>, options?: { partsAbove?: number; keptBytes?: number }) =>
  [...canonicalDocumentPieces(document, options)].map((piece) =>
    typeof piece === 'string' ? piece : piece.toString('utf8'),
  );

/** The writes of the document's pieces joined into batches of about `size` characters. */
const batches = (pieces: string[], size?: number) => [...inBatches(pieces, size)];

const printed = (document: Record<string, unknown[]>, size?: number, partsAbove?: number) => {
  const writes = batches(chunks(document, { partsAbove }), size);
  return { text: writes.join(''), writes };
};

describe('canonicalDocumentPieces', () => {
  it('writes the bytes canonicalJson(document, 2) gives, whatever the document holds', () => {
    const documents: Array<Record<string, unknown[]>> = [
      {},
      { a: [] },
      { b: [{ z: 1, a: { y: [1, 2, { q: 'line\nbreak', p: null }], x: {} } }], a: [] },
      {
        'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': [
          { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [] }] },
          { name: 's', empty: [], ü: '\u2028 "quoted" \\ tab\t', n: -0.5, u: undefined },
        ],
        'type.googleapis.com/envoy.config.cluster.v3.Cluster': [{ name: 'c' }, undefined, 'text', 7],
      },
      // Objects whose keys are in order (used as they are) beside ones that are not (copied).
      { t: [{ a: 1, b: { c: [{ d: 1, e: 2 }], f: { h: 1, g: 2 } } }, { a: [{ b: 1 }, { z: 1, y: [] }] }] },
      // Integer-like keys, which objects list first in numeric order.
      { t: [{ 10: 'a', 9: 'b', x: 1 }, { 1: 1, 2: 2, a: 3 }, { b: { 2: 1, 10: 2 } }] },
      // Keys in every order, few (sorted in place) and many (more than 32), with undefined values.
      {
        t: [10, 33, 80].map((n) =>
          Object.fromEntries(
            Array.from({ length: n }, (_, i) => [
              `k${(i * 37) % n}`,
              i % 5 === 0 ? undefined : { v: i, u: [i] },
            ]),
          ),
        ),
      },
      // An own __proto__ key (JSON.parse makes one), in order and out of order, at every level.
      {
        t: [
          JSON.parse('{"__proto__": {"z": 1, "a": [2]}, "b": 2, "a": {"__proto__": 3, "c": 1}}'),
          JSON.parse('{"a": 1, "__proto__": {"y": {"b": 1, "a": 2}}}'),
        ],
      },
      // One object in several places, holes, a null prototype.
      (() => {
        const holey = [1, 2, 3];
        delete holey[1];
        const shared = { z: 1, a: holey, m: { n: 1 } };
        const bare = Object.assign(Object.create(null) as object, { y: 1, x: 2 });
        return { t: [{ p: shared, q: shared }, [shared, bare], bare] };
      })(),
      // What is not plain data goes through sortKeys: a Date, a class instance, toJSON, a Map, boxed values.
      {
        t: [
          { when: new Date(0), box: new Number(3), text: new String('s') },
          {
            thing: new (class Thing {
              b = 1;
              a = 2;
            })(),
            map: new Map([[1, 2]]),
          },
          { own: { toJSON: () => ({ b: 1, a: 2 }) }, notFunction: { toJSON: 1, a: 0 } },
          Object.assign([3, 1], { toJSON: () => 'array' }),
          { f: () => 1, s: Symbol('s'), u: undefined, n: Number.NaN },
        ],
      },
    ];
    // A route configuration deeper than the levels written piece by piece, with what JSON leaves out.
    const routes = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: `r${i}`,
        match: { prefix: `/p${i}/`, headers: [{ name: 'x', exact_match: `${i}`, skip: undefined }] },
        route: { cluster: `c${i}`, weights: [[1, [2, { z: 1, a: [] }]]], f: () => 1 },
        ...(i % 3 === 0 ? { typed_per_filter_config: {} } : {}),
      }));
    documents.push({
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': [
        {
          virtual_hosts: [
            { routes: routes(50), name: 'a', domains: ['*'] },
            { name: 'b', routes: [] },
          ],
          name: 'rc',
        },
        { name: 'small', virtual_hosts: [] },
        [undefined, () => 1, Symbol('s'), [[[[[[1]]]]]]],
      ],
    });
    for (const document of documents) {
      expect(printed(document).text).toBe(`${canonicalJson(document, 2)}\n`);
      // Every resource written a part at a time, as large ones are: the same bytes.
      expect(printed(document, undefined, 0).text).toBe(`${canonicalJson(document, 2)}\n`);
    }
  });

  it('writes a large resource in parts (a route configuration’s routes one by one), not as one string', () => {
    const document = {
      routes: [
        {
          name: 'rc',
          virtual_hosts: [
            {
              name: 'v',
              routes: Array.from({ length: 6000 }, (_, i) => ({ name: `r${i}`, match: { prefix: `/${i}` } })),
            },
          ],
        },
      ],
    };
    const pieces = chunks(document);
    expect(pieces.join('')).toBe(`${canonicalJson(document, 2)}\n`);
    // 12,000 objects and arrays (above the 500 of a large resource): written by routes, in pieces of ~16 KiB.
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(20_000);
    // Below the threshold the resource is one piece.
    const whole = chunks(document, { partsAbove: 100_000 });
    expect(Math.max(...whole.map((p) => p.length))).toBeGreaterThan(100_000);
  });

  it('reads a route list that large resources share once: its text is kept, as bytes, for the next times', () => {
    // Lowering shares a Host's route list between its cleartext and TLS RouteConfigurations.
    // Kept as strings, its text (~10 MB at 10,000 Mappings) grew the old generation
    // (tools/bench/README.md, "Session 9: the CLI"): it is kept in Buffers, outside V8's heap.
    let reads = 0;
    const route = (i: number) =>
      new Proxy(
        { name: `r${i}`, match: { prefix: `/${i}` }, ...(i % 2 ? { z: [i] } : {}) },
        {
          get(target, key, receiver) {
            if (key === 'name') reads++;
            return Reflect.get(target, key, receiver);
          },
        },
      );
    const shared = Array.from({ length: 130 }, (_, i) => route(i));
    const config = (name: string, routes: unknown[]) => ({
      virtual_hosts: [{ name: 'v', routes, domains: ['*'] }],
      name,
    });
    const alone = (name: string) =>
      config(
        name,
        Array.from({ length: 130 }, (_, i) => route(i)),
      );
    const document = {
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': [
        config('plain', shared),
        alone('other'),
        config('tls', shared),
      ],
      other: [config('again', shared)],
    };
    const expected = `${canonicalJson(document, 2)}\n`;
    const print = (partsAbove: number, keptBytes?: number) => {
      return batches(chunks(document, { partsAbove, keptBytes })).join('');
    };
    // A route's keys are out of order: its name is read once by each sorted view made of it (a
    // copy, which JSON.stringify reads), and once more for the first route of each list or group of
    // 128 routes that inOrder looks at (it reads the value of a route's first key, its name, before
    // it finds the second key out of order, and stops there). Every resource in parts: the shared
    // list's view is made once, for its first use of three (two groups, as the other list).
    reads = 0;
    expect(print(0)).toBe(expected);
    expect(reads).toBe(2 * 130 + 2 * 2);
    // Nothing may be kept: each use reads the list again.
    reads = 0;
    expect(print(0, 0)).toBe(expected);
    expect(reads).toBe(4 * 130 + 4 * 2);
    // Resources this small are written whole, each from a sorted view of its own (inOrder reads the
    // first route of each before it finds it out of order).
    reads = 0;
    expect(print(500)).toBe(expected);
    expect(reads).toBe(4 * 130 + 4);
    // The text of a list to be kept comes as the bytes kept from its first use on (each is encoded
    // once): the shared list's two groups of items (128 and 2 routes), at each of its three uses;
    // with nothing allowed to be kept, only the first group at each use but the last (encoded, then
    // found too large to keep).
    const bytesPieces = (keptBytes?: number) =>
      [...canonicalDocumentPieces(document, { partsAbove: 0, keptBytes })].filter(
        (p) => typeof p !== 'string',
      ).length;
    expect(bytesPieces()).toBe(3 * 2);
    expect(bytesPieces(0)).toBe(2);
    // As pieces (the CLI's), the kept text comes as its bytes, in its place, through inBatches too.
    for (const size of [16, 1 << 16]) {
      const pieces = [...inBatches(canonicalDocumentPieces(document, { partsAbove: 0 }), size)];
      expect(pieces.filter((p) => typeof p !== 'string').length).toBeGreaterThan(0);
      expect(pieces.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('')).toBe(expected);
    }
    // Written to a file by writePiece (the CLI's --out and stdout to a file), text and bytes alike.
    const dir = mkdtempSync(join(tmpdir(), 'print-document-'));
    try {
      const file = join(dir, 'out.json');
      const fd = openSync(file, 'w');
      try {
        for (const piece of inBatches(canonicalDocumentPieces(document, { partsAbove: 0 }), 16))
          writePiece(fd, piece);
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(file, 'utf8')).toBe(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes random lists of small and large resources as canonicalJson does (small ones a group at a time)', () => {
    const random = seededRandom(15);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const scalar = () =>
      pick<unknown>([1, -0.5, 'x', 'ü\u2028"', '\u{1f600}', null, true, undefined, () => 1]);
    const value = (level: number, width: number): unknown => {
      const r = random();
      if (level > 4 || r < 0.25) return scalar();
      if (r < 0.55)
        return Array.from({ length: Math.floor(random() * width) }, () => value(level + 1, width));
      const keys = ['b', 'a', 'name', 'z', '10', '2', 'routes', 'type'];
      return Object.fromEntries(
        Array.from({ length: 1 + Math.floor(random() * 5) }, () => [pick(keys), value(level + 1, width)]),
      );
    };
    for (let round = 0; round < 25; round++) {
      const document: Record<string, unknown[]> = {};
      for (const key of ['c', 'a', 'b'].slice(0, 1 + Math.floor(random() * 3))) {
        document[key] = Array.from({ length: pick([0, 1, 2, 127, 128, 129, 257, 300]) }, () =>
          random() < 0.9 ? value(0, 4) : random() < 0.5 ? value(0, 30) : scalar(),
        );
      }
      const expected = `${canonicalJson(document, 2)}\n`;
      for (const partsAbove of [0, 5, 40, 500]) {
        expect(printed(document, pick([16, 4096, 1 << 16]), partsAbove).text).toBe(expected);
      }
    }
  });

  it('writes route lists that resources share, in order or not, as canonicalJson does each time', () => {
    // A list found to be its own sorted view is not looked through again when it comes back
    // (lowering shares a Host's routes between two RouteConfigurations); one that is not, or one
    // that holds an object out of order anywhere below, is sorted at each use.
    const random = seededRandom(27);
    const route = (i: number, inOrder: boolean) => {
      const match =
        random() < 0.5
          ? { headers: [{ exact_match: `${i}`, name: 'x' }], prefix: `/${i}/` }
          : { prefix: `/${i}/` };
      const action = { cluster: `c${i}`, timeout: '3s' };
      if (inOrder) return { match, name: `r${i}`, route: action };
      // Out of order at one level only, chosen at random.
      const r = random();
      if (r < 0.33) return { name: `r${i}`, match, route: action };
      if (r < 0.66)
        return {
          match: { prefix: `/${i}/`, headers: [{ name: 'x', exact_match: `${i}` }] },
          name: `r${i}`,
          route: action,
        };
      return { match, name: `r${i}`, route: { timeout: '3s', cluster: `c${i}` } };
    };
    for (let round = 0; round < 30; round++) {
      const lists = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
        const length = [0, 1, 127, 128, 129, 300][Math.floor(random() * 6)]!;
        const ordered = random() < 0.6;
        // A list out of order may have a single route out of order, anywhere in it.
        const odd = ordered ? -1 : Math.floor(random() * Math.max(length, 1));
        return Array.from({ length }, (_, i) => route(i, i !== odd));
      });
      const config = (name: string, routes: unknown[]) => ({
        name,
        virtual_hosts: [{ domains: ['*'], name: 'v', routes }],
      });
      const resources = Array.from({ length: 2 + Math.floor(random() * 5) }, (_, i) =>
        config(`rc${i}`, lists[Math.floor(random() * lists.length)]!),
      );
      const document = { a: resources, b: resources.slice().reverse() };
      const expected = `${canonicalJson(document, 2)}\n`;
      for (const partsAbove of [0, 40, 500])
        expect(printed(document, 1 << 16, partsAbove).text).toBe(expected);
    }
  });

  it('sortedView: the text of sortKeys, the value itself where nothing is out of order, the input untouched', () => {
    // Objects in order whose values change at the first, a middle or the last key, objects out of
    // order, arrays, shared values, undefined and holes, at random (seed 41).
    const random = seededRandom(41);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const value = (level: number): unknown => {
      const r = random();
      if (level > 4 || r < 0.3) return pick<unknown>([1, 'x', null, true, undefined, -0.5]);
      if (r < 0.5) {
        const list = Array.from({ length: Math.floor(random() * 5) }, () => value(level + 1));
        if (list.length > 2 && random() < 0.2) delete list[1];
        return list;
      }
      const keys = ['a', 'b', 'c', 'd', 'e', '1', '20'].filter(() => random() < 0.6);
      if (random() < 0.7) keys.sort();
      else keys.reverse();
      return Object.fromEntries(keys.map((k) => [k, value(level + 1)]));
    };
    const canonical = (v: unknown): boolean =>
      v === null || typeof v !== 'object'
        ? true
        : Array.isArray(v)
          ? v.every(canonical)
          : Object.keys(v).every((k, i, ks) => (i === 0 || ks[i - 1]! < k) && canonical((v as never)[k]));
    let same = 0;
    let copied = 0;
    for (let round = 0; round < 2000; round++) {
      const input = value(0);
      const before = JSON.stringify(input);
      const view = sortedView(input);
      expect(JSON.stringify(view)).toBe(JSON.stringify(sortKeys(input)));
      expect(JSON.stringify(input)).toBe(before);
      if (canonical(input)) {
        expect(view).toBe(input);
        same++;
      } else if (view !== input) copied++;
    }
    expect(same).toBeGreaterThan(200);
    expect(copied).toBeGreaterThan(200);
  });

  it('sortedView: the value itself exactly when all of it is plain data in order, whatever it holds', () => {
    // inOrder decides alone for what is in order (nearly everything printed); the rest is copied by
    // reorderedView. Random values (seed 17) with, at any depth, objects out of order, class
    // instances, null prototypes, toJSON, own __proto__ keys, holes and undefined, against a plain
    // statement of when sortKeys' text is the value's own.
    const random = seededRandom(17);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    class Thing {
      a = 1;
    }
    const value = (level: number): unknown => {
      const r = random();
      if (level > 4 || r < 0.3) return pick<unknown>([1, 'x', null, true, undefined, -0.5]);
      if (r < 0.48) {
        const list = Array.from({ length: Math.floor(random() * 4) }, () => value(level + 1));
        if (list.length > 2 && random() < 0.2) delete list[1];
        if (random() < 0.03) Object.defineProperty(list, 'toJSON', { value: () => 'list' });
        return list;
      }
      const keys = ['a', 'b', 'c', 'd', '1', '20'].filter(() => random() < 0.6);
      if (random() < 0.1) keys.reverse();
      const entries = keys.map((k) => [k, value(level + 1)] as const);
      const kind = random();
      if (kind < 0.04) return Object.assign(new Thing(), Object.fromEntries(entries));
      if (kind < 0.08) return Object.assign(Object.create(null) as object, Object.fromEntries(entries));
      if (kind < 0.11) return { ...Object.fromEntries(entries), toJSON: () => ({ z: 1, y: 2 }) };
      if (kind < 0.14) return JSON.parse(`{"__proto__": 1${keys.map((k) => `, "${k}": 2`).join('')}}`);
      return Object.fromEntries(entries);
    };
    const ownView = (v: unknown): boolean => {
      if (v === null || typeof v !== 'object') return true;
      if (Array.isArray(v)) return !Object.hasOwn(v, 'toJSON') && [...v].every(ownView);
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      const keys = Object.keys(v);
      if (keys.includes('toJSON') || keys.includes('__proto__')) return false;
      return keys.every(
        (k, i) => (i === 0 || keys[i - 1]! < k) && ownView((v as Record<string, unknown>)[k]),
      );
    };
    const counts = { own: 0, copied: 0 };
    for (let round = 0; round < 3000; round++) {
      const input = value(0);
      const before = JSON.stringify(input);
      const view = sortedView(input);
      expect(JSON.stringify(view)).toBe(JSON.stringify(sortKeys(input)));
      expect(JSON.stringify(input)).toBe(before);
      const own = ownView(input);
      expect(view === input).toBe(own);
      counts[own ? 'own' : 'copied']++;
    }
    expect(counts.own).toBeGreaterThan(500);
    expect(counts.copied).toBeGreaterThan(500);
  });

  it('sortedView: the same text when Object.prototype has an enumerable key (for…in lists it)', () => {
    // sortedView reads keys by for…in, which lists enumerable keys of the prototype too: whatever
    // it then does, the text must stay sortKeys' (own keys only). Random values (seed 16).
    const random = seededRandom(16);
    const value = (level: number): unknown => {
      const r = random();
      if (level > 3 || r < 0.3) return random() < 0.5 ? 1 : 'x';
      if (r < 0.45) return Array.from({ length: Math.floor(random() * 4) }, () => value(level + 1));
      const keys = ['a', 'b', 'y', 'zz', '3'].filter(() => random() < 0.6);
      if (random() < 0.3) keys.reverse();
      return Object.fromEntries(keys.map((k) => [k, value(level + 1)]));
    };
    const inputs = Array.from({ length: 400 }, () => value(0));
    const expected = inputs.map((input) => JSON.stringify(sortKeys(input)));
    const document = { a: inputs.filter((input) => input !== null && typeof input === 'object') };
    const text = `${canonicalJson(document, 2)}\n`;
    for (const inherited of [{ b: 1, a: 2 }, 'm', [{ y: 1, x: 2 }]]) {
      Object.defineProperty(Object.prototype, 'm', {
        value: inherited,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      try {
        expect(inputs.map((input) => JSON.stringify(sortedView(input)))).toEqual(expected);
        for (const partsAbove of [0, 500]) expect(printed(document, 1 << 16, partsAbove).text).toBe(text);
      } finally {
        delete (Object.prototype as { m?: unknown }).m;
      }
    }
  });

  it('writes in batches of about the given size, not one write per resource', () => {
    const document = { a: Array.from({ length: 1000 }, (_, i) => ({ name: `resource-${i}` })) };
    const { text, writes } = printed(document, 4096);
    expect(text).toBe(`${canonicalJson(document, 2)}\n`);
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.length).toBeLessThan(text.length / 1000);
    for (const w of writes.slice(0, -1)) expect(w.length).toBeGreaterThanOrEqual(4096);
  });
});
