import { Buffer } from 'node:buffer';
import { writeSync } from 'node:fs';
import { sortKeys } from '@attache/core';

/** Objects and arrays sortedView has looked at (for canonicalDocumentPieces: how large a resource is). */
let containersSeen = 0;

/**
 * No limit: more objects and arrays than one value can hold (V8's heap holds at most 4 GiB, each
 * of them takes 16 bytes or more), and a small integer to V8, as the limits viewOfAtMost sets are:
 * with Infinity here, the code V8 had optimised for inOrder on those limits was thrown away at
 * the first sortedView without one (session 17).
 */
const unlimited = 2 ** 30;

/** Past this many, sortedView stops (throws `tooLarge`): the resource is written in parts instead. */
let containersAllowed = unlimited;
const tooLarge = Symbol('too large');

/**
 * What `sortKeys` gives, for JSON.stringify: plain objects whose keys are already in order,
 * and arrays none of whose items change, are used as they are instead of copied (nearly all of a
 * lowered Envoy resource's objects are: at 10 × 10,000 Mappings only 38 of ~90,000 objects, all in
 * Listeners, are out of order). Anything else (an object with toJSON, a class instance) goes
 * through sortKeys itself, so the text is the same.
 *
 * inOrder looks first, and only when it finds something out of order does reorderedView make the
 * view. inOrder has no path that V8 reaches only rarely, so the code V8 optimises for it stays
 * valid: with both in one function (before session 17), the first out-of-order object, met after
 * V8 had optimised it on the Clusters, threw that code away (no feedback for the copy's calls)
 * and V8 optimised the function again, a second time larger.
 */
export function sortedView(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Without a limit the count starts again at each value, so that it never reaches `unlimited`.
  if (containersAllowed === unlimited) containersSeen = 0;
  const seen = containersSeen;
  if (inOrder(value)) return value;
  // reorderedView counts the objects it looks at as before, whatever inOrder had counted.
  containersSeen = seen;
  return reorderedView(value);
}

/**
 * Whether `value` is its own sorted view: a string, number, boolean or null; an array without
 * toJSON whose items are; a plain object (prototype Object.prototype or null) without toJSON or an
 * own enumerable __proto__ key (JSON.parse makes one; sortKeys' copy loses it, so canonicalJson
 * does), whose keys are in order and whose values are. Keys and values are looked at in one loop,
 * which also finds such a __proto__ key (one that is not enumerable is neither written nor copied).
 */
function inOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (++containersSeen > containersAllowed) throw tooLarge;
  if (Array.isArray(value)) {
    if ('toJSON' in value) return false;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      // A string, number, boolean or null is in order (no call); a hole reads as undefined.
      if (item !== null && typeof item === 'object' && !inOrder(item)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return false;
  const record = value as Record<string, unknown>;
  // The keys by for…in, not Object.keys: no array per object, and V8 reads each value through the
  // map's enum cache instead of a lookup by name (at 10 × 10,000 Mappings 34 M fewer instructions
  // in all, session 16). for…in would also list enumerable keys of Object.prototype, were there
  // any: then an object may be found out of order, or its values looked at, without need, but its
  // copy is made from Object.keys alone, so the text is the same.
  let previous = '';
  for (const key in record) {
    if (previous > key || key === '__proto__') return false;
    previous = key;
    const item = record[key];
    if (item !== null && typeof item === 'object' && !inOrder(item)) return false;
  }
  return true;
}

/**
 * sortedView(value) made by looking at everything once more: the values in order are used as they
 * are, the others copied.
 */
function reorderedView(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (++containersSeen > containersAllowed) throw tooLarge;
  if (Array.isArray(value) && !('toJSON' in value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || typeof item !== 'object') continue;
      const view = reorderedView(item);
      if (view !== item) {
        copy ??= value.slice();
        copy[i] = view;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (
    (proto !== Object.prototype && proto !== null) ||
    'toJSON' in value ||
    Object.hasOwn(value, '__proto__')
  )
    return sortKeys(value);
  const record = value as Record<string, unknown>;
  let previous = '';
  for (const key in record) {
    if (previous > key) return sortedCopy(record, Object.keys(record));
    previous = key;
  }
  for (const key in record) {
    const item = record[key];
    if (item === null || typeof item !== 'object') continue;
    if (reorderedView(item) !== item) return sortedCopy(record, Object.keys(record));
  }
  return value;
}

/** The sorted copy of `record`, whose keys are `keys` (Object.keys order), of the views of its values. */
function sortedCopy(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const views: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) views[i] = reorderedView(record[keys[i]!]);
  sortTogether(keys, views);
  const out: Record<string, unknown> = {};
  for (let k = 0; k < keys.length; k++) if (views[k] !== undefined) out[keys[k]!] = views[k];
  return out;
}

/**
 * Sorts distinct keys in place, their values moved with them. An object has a few keys: an
 * insertion sort, since Array.prototype.sort allocates about a kilobyte of state per call (70 MB
 * of garbage for the ~100,000 objects copied at 10,000 Mappings); a sort of indices above 32 keys.
 */
function sortTogether(keys: string[], values: unknown[]): void {
  if (keys.length > 32) {
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
    const sortedKeys = order.map((i) => keys[i]!);
    const sortedValues = order.map((i) => values[i]);
    for (let i = 0; i < keys.length; i++) {
      keys[i] = sortedKeys[i]!;
      values[i] = sortedValues[i];
    }
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    const value = values[i];
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) {
      keys[j + 1] = keys[j]!;
      values[j + 1] = values[j];
    }
    keys[j + 1] = key;
    values[j + 1] = value;
  }
}

/**
 * `canonicalJson(document, 2)` of a document of lists (Envoy resources by
 * type URL), written in pieces: one resource serialised at a time, instead
 * of a sorted copy of everything and one string of tens of megabytes at
 * 10,000 Mappings. The bytes are the same (a test compares them).
 *
 * A resource of more than `partsAbove` objects and arrays is written in parts. The sorted view
 * that finds one out is thrown away at that count, so the count is low: at 10,000 it was made
 * for most of every RouteConfiguration at 10,000 Mappings (~10,700 objects each) and made again
 * part by part; at 500, printing 10,000 Mappings took 146–161 ms instead of 204–218 ms, and
 * 1,000 Mappings ~20 ms less (tools/bench/README.md, "Session 8: the CLI").
 *
 * A route list that lowering shares between two RouteConfigurations (a Host's cleartext and TLS
 * ones) is made into text once: the text is kept for the next time as bytes outside V8's heap
 * (ListMemory), up to `keptBytes` (16 MiB by default) at a time. Kept as strings (session 9), the
 * ~10 MB of it at 10,000 Mappings outlived young collections, grew the old generation and needed
 * a full collection before printing (~50 ms) to keep the peak under 150 MiB (tools/bench/README.md,
 * "Session 9: the CLI"); in Buffers it adds its size to the peak RSS and nothing to the collector's
 * work. Such a text comes as the bytes it is kept in, at its first use too: the CLI writes them as
 * they are (writePiece), instead of encoding the text again itself (or decoding the bytes into a
 * string only to have them encoded again): at 10 × 10,000 Mappings 17 M fewer instructions (0.3 %,
 * session 16).
 */
export function* canonicalDocumentPieces(
  document: Readonly<Record<string, readonly unknown[]>>,
  { partsAbove = 500, keptBytes = keptBytesAllowed }: { partsAbove?: number; keptBytes?: number } = {},
): Generator<string | Buffer> {
  const keys = Object.keys(document)
    .filter((key) => document[key] !== undefined)
    .sort();
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  const memory: ListMemory = {
    canonical: new WeakSet(),
    uses: listUses(document),
    kept: new Map(),
    keptBytes: 0,
    keptBytesAllowed: keptBytes,
  };
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const list = document[key]!;
    const end = k < keys.length - 1 ? ',\n' : '\n';
    if (list.length === 0) {
      yield `  ${JSON.stringify(key)}: []${end}`;
      continue;
    }
    yield `  ${JSON.stringify(key)}: [\n`;
    // Sorted views of the small resources not yet written: consecutive ones are written by one
    // JSON.stringify, as the list's own text for them (3,651 Clusters at 10,000 Mappings).
    const views: unknown[] = [];
    let containers = 0;
    for (let i = 0; i < list.length; i++) {
      const view = viewOfAtMost(list[i], partsAbove);
      const comma = i < list.length - 1 ? ',' : '';
      if (view !== tooLarge) {
        views.push(view);
        containers += containersSeen;
        if (comma && views.length < group && containers < groupContainers) continue;
        yield `${itemsAt(views, 1)}${comma}\n`;
        views.length = 0;
        containers = 0;
        continue;
      }
      if (views.length > 0) {
        yield `${itemsAt(views, 1)},\n`;
        views.length = 0;
        containers = 0;
      }
      // A large resource (a RouteConfiguration of thousands of routes) a part at a time: one
      // string of tens of megabytes, its copy and its bytes would each stay in V8's large-object
      // space until a full GC, which a one-shot run may never make. Its sorted view is made a
      // part at a time too: a whole one (a copy of every route) would live long enough to be
      // moved to the old generation, where it would stay as garbage until such a GC.
      yield '    ';
      yield* jsonParts(list[i], 2, 2 + partDepth, memory);
      yield `${comma}\n`;
    }
    yield `  ]${end}`;
  }
  yield '}\n';
}

/** How many levels of a large resource are written piece by piece (resource, virtual_hosts, a virtual host, routes). */
const partDepth = 4;

/**
 * What the printing of one document knows of the lists jsonItemGroups writes (a route list
 * lowering shares between a Host's cleartext and TLS RouteConfigurations: 10 lists, ~40 % of the
 * text at 10 × 10,000). The same unchanged data gives the same text each time:
 * - `canonical`: the lists found to be their own sorted view (every item, all the way down, has
 *   its keys in order), which are not looked through again;
 * - `uses`: how many times each list of at least `keptFrom` items may be written (listUses);
 * - `kept`: the text of such a list that is to be written again, and at what depth, as bytes
 *   outside V8's heap until its last use. Kept as strings (~10 MB at 10,000 Mappings) it outlived
 *   young collections and grew the old generation (tools/bench/README.md, "Session 9: the CLI");
 *   a Buffer's bytes are not moved by the collector, and are freed once it is dropped.
 */
interface ListMemory {
  canonical: WeakSet<readonly unknown[]>;
  uses: Map<readonly unknown[], number>;
  kept: Map<readonly unknown[], { depth: number; uses: number; pieces: Buffer[] }>;
  /** The bytes in `kept`, and how many it may hold (keptBytesAllowed but in tests). */
  keptBytes: number;
  keptBytesAllowed: number;
}

/** Lists shorter than this are not kept: their text is made again each time. */
const keptFrom = 128;

/**
 * At most this many bytes of text are kept at a time (~10 MB at 10 × 10,000 Mappings, which adds
 * as much to the run's peak RSS); a list that would go past it is made again at its next use.
 */
const keptBytesAllowed = 16 << 20;

/**
 * How many times each list of at least `keptFrom` items could reach jsonItemGroups as the items of
 * a plain object in a list in a resource (`partDepth` - 1 levels down: a RouteConfiguration's
 * virtual_hosts[i].routes), counted in every resource, large or not. Lists found elsewhere are not
 * counted, and not kept: a count too low only makes a text again, one too high keeps it longer.
 */
function listUses(document: Readonly<Record<string, readonly unknown[]>>): Map<readonly unknown[], number> {
  const uses = new Map<readonly unknown[], number>();
  for (const type of Object.keys(document)) {
    const resources = document[type] ?? [];
    for (let r = 0; r < resources.length; r++) {
      const resource = resources[r];
      if (!isPlainObject(resource)) continue;
      for (const key in resource) {
        const items = resource[key];
        if (!Array.isArray(items)) continue;
        for (let i = 0; i < items.length; i++) {
          const item = items[i];
          if (!isPlainObject(item)) continue;
          for (const k in item) {
            const list = item[k];
            if (Array.isArray(list) && list.length >= keptFrom) uses.set(list, (uses.get(list) ?? 0) + 1);
          }
        }
      }
    }
  }
  return uses;
}

/** A plain object (not an array) without toJSON. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isPlainContainer(value) && !Array.isArray(value);
}

/** sortedView(value), or `tooLarge` once it has looked at more than `limit` objects and arrays. */
function viewOfAtMost(value: unknown, limit: number): unknown {
  containersSeen = 0;
  containersAllowed = limit;
  try {
    return sortedView(value);
  } catch (e) {
    if (e === tooLarge) return tooLarge;
    throw e;
  } finally {
    containersAllowed = unlimited;
  }
}

/**
 * The entries of a plain object in the order JSON.stringify writes its sorted view (sortedView):
 * keys sorted, then integer-like keys first in numeric order (as any object orders them), without
 * undefined values (which sortedView leaves out), or undefined for what only sortedView itself
 * writes the same way (an own `__proto__` key).
 */
function sortedEntries(record: Record<string, unknown>): Array<[string, unknown]> | undefined {
  const keys = Object.keys(record).sort();
  if (keys.includes('__proto__')) return undefined;
  const ordered: Record<string, unknown> = {};
  for (const key of keys) if (record[key] !== undefined) ordered[key] = record[key];
  return Object.entries(ordered);
}

/**
 * The sorted view of `value` as JSON.stringify(…, null, 2) writes it `depth` levels down (its
 * later lines indented by 2 × depth more spaces), in pieces: objects and arrays down to
 * `maxDepth` are written here in sorted order, what is below them (or anything that is not
 * plain data) by JSON.stringify itself, from sorted views made for that piece alone.
 */
function* jsonParts(
  value: unknown,
  depth: number,
  maxDepth: number,
  memory: ListMemory,
): Generator<string | Buffer> {
  const entries =
    isPlainContainer(value) && !Array.isArray(value) ? sortedEntries(value as Record<string, unknown>) : [];
  if (depth >= maxDepth || !isPlainContainer(value) || !entries) {
    yield jsonAt(sortedView(value), depth);
    return;
  }
  const inner = '  '.repeat(depth + 1);
  // Pieces are joined here up to about 16 KiB before they are yielded: every yield passes through
  // each enclosing level's generator.
  let pending = '';
  const child = function* (item: unknown): Generator<string | Buffer> {
    if (depth + 1 >= maxDepth || !isPlainContainer(item)) {
      pending += jsonAt(sortedView(item), depth + 1);
      return;
    }
    if (pending.length > 0) yield pending;
    pending = '';
    yield* jsonParts(item, depth + 1, maxDepth, memory);
  };
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    if (depth + 1 >= maxDepth) {
      yield* jsonItemGroups(value, depth, memory);
      return;
    }
    pending = '[\n';
    for (let i = 0; i < value.length; i++) {
      pending += inner;
      // What JSON.stringify leaves out of an object is null in an array.
      if (leftOut(value[i])) pending += 'null';
      else yield* child(value[i]);
      pending += i < value.length - 1 ? ',\n' : '\n';
      if (pending.length >= 1 << 14) {
        yield pending;
        pending = '';
      }
    }
    yield `${pending}${'  '.repeat(depth)}]`;
    return;
  }
  const written = entries.filter(([, item]) => !leftOut(item));
  if (written.length === 0) {
    yield '{}';
    return;
  }
  pending = '{\n';
  for (let i = 0; i < written.length; i++) {
    const [key, item] = written[i]!;
    pending += `${inner}${JSON.stringify(key)}: `;
    yield* child(item);
    pending += i < written.length - 1 ? ',\n' : '\n';
    if (pending.length >= 1 << 14) {
      yield pending;
      pending = '';
    }
  }
  yield `${pending}${'  '.repeat(depth)}}`;
}

/**
 * An array `depth` levels down whose items JSON.stringify writes, a group of items per call (one
 * call per item would cost more than the writing): each group's text is the array's own text
 * for those items, its brackets cut off. An array found to be its own sorted view is noted in
 * `memory.canonical`, and written as it is when it comes again; the text of one that is to come
 * again (memory.uses) is kept (memory.kept) and written from there the next times.
 */
function* jsonItemGroups(
  value: readonly unknown[],
  depth: number,
  memory: ListMemory,
): Generator<string | Buffer> {
  const kept = memory.kept.get(value);
  if (kept !== undefined && kept.depth === depth) {
    if (--kept.uses <= 0) {
      memory.kept.delete(value);
      for (const piece of kept.pieces) memory.keptBytes -= piece.length;
    }
    yield* kept.pieces;
    return;
  }
  const usesAfter = (memory.uses.get(value) ?? 0) - 1;
  if (usesAfter >= 0) memory.uses.set(value, usesAfter);
  let pieces: Buffer[] | undefined = usesAfter > 0 && kept === undefined ? [] : undefined;
  let bytes = 0;
  const known = memory.canonical.has(value);
  let unchanged = true;
  for (let start = 0; start < value.length; start += group) {
    const end = Math.min(start + group, value.length);
    const items = value.slice(start, end);
    const view = known ? items : (sortedView(items) as unknown[]);
    if (view !== items) unchanged = false;
    const text = `${start === 0 ? '[\n' : ''}${itemsAt(view, depth)}${end < value.length ? ',\n' : `\n${'  '.repeat(depth)}]`}`;
    if (pieces) {
      // The text to keep comes as the bytes kept, this time too: it is encoded once, not also
      // by the writer (and flattened once more inside inBatches' batch).
      const piece = Buffer.from(text, 'utf8');
      bytes += piece.length;
      if (memory.keptBytes + bytes <= memory.keptBytesAllowed) pieces.push(piece);
      else pieces = undefined;
      yield piece;
      continue;
    }
    yield text;
  }
  if (unchanged && !known) memory.canonical.add(value);
  if (pieces) {
    memory.kept.set(value, { depth, uses: usesAfter, pieces });
    memory.keptBytes += bytes;
  }
}

/**
 * The lines of the items of an array `depth` levels down as JSON.stringify writes them (a sorted
 * view): jsonAt of the array, its brackets cut off ('[\n' before, '\n' + 2 × depth spaces + ']'
 * after).
 */
function itemsAt(items: readonly unknown[], depth: number): string {
  const text = jsonAt(items, depth);
  return text.slice(2, text.length - (2 * depth + 2));
}

/**
 * Items of a large array written by one JSON.stringify (jsonItemGroups), and small resources at
 * most: 128 routes are ~100 KB of text. Printing 10,000 Mappings (fresh processes, CLI interrupt
 * budget, 14 alternated runs, session 11): 187 ms at 128 against 206 ms at 64; 256 and 512 no
 * better than 128.
 */
const group = 128;

/** Small resources written by one JSON.stringify hold at most about this many objects and arrays. */
const groupContainers = 4000;

/** A plain object or array without toJSON: what jsonParts may write itself. */
function isPlainContainer(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || 'toJSON' in value) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function leftOut(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** JSON.stringify(value, null, 2) as it appears `depth` levels down: inside `depth` arrays, cut out of them. */
function jsonAt(value: unknown, depth: number): string {
  let wrapped = value;
  for (let d = 0; d < depth; d++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // '[\n' + '  [\n' + … before it and '\n  ]' + '\n]' after it: d² + 3d and d² + d characters.
  return text.slice(depth * depth + 3 * depth, text.length - (depth * depth + depth));
}

/**
 * The pieces joined into strings of about `size` characters; bytes (canonicalDocumentPieces) come
 * as they are, after the text before them.
 */
export function inBatches(chunks: Iterable<string>, size?: number): Generator<string>;
export function inBatches(chunks: Iterable<string | Buffer>, size?: number): Generator<string | Buffer>;
export function* inBatches(chunks: Iterable<string | Buffer>, size = 1 << 16): Generator<string | Buffer> {
  let pending = '';
  for (const chunk of chunks) {
    if (typeof chunk !== 'string') {
      if (pending.length > 0) yield pending;
      pending = '';
      yield chunk;
      continue;
    }
    pending += chunk;
    if (pending.length >= size) {
      yield pending;
      pending = '';
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * Writes one piece of inBatches (text, or kept bytes) to `fd` whole, with writeSync: a string is
 * encoded by writeSync itself, bytes are written as they are (each of writeSync's two overloads
 * takes one of them, hence the test).
 */
export function writePiece(fd: number, piece: string | Uint8Array): void {
  if (typeof piece === 'string') writeSync(fd, piece);
  else writeSync(fd, piece);
}
