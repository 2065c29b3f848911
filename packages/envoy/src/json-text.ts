import { isPlainObject, versionHashOfJson } from '@attache/core';
import { type ChunkedList, chunkEnds, chunkedFrom } from './chunk-ends.js';
import type { Json } from './lower/index.js';

export { chunkEnds };

/**
 * Version hashes of RouteConfigurations. Lowering shares route lists (by
 * object identity) between virtual hosts and route configs, and route tables
 * are most of the bytes a compile hashes: each distinct list is serialized and
 * hashed once, and a config's version is the hash of its JSON with every
 * route list replaced by that list's digest. Equal content gives equal
 * versions and any change to a route changes its list's digest, so this is as
 * sound as hashing the whole text. Only for JSON that is not mutated while the
 * cache lives (one lowerAndValidate call).
 *
 * Long lists are digested by chunks (`chunkEnds`: cut after an item whose name hashes to a
 * boundary, a function of the content alone): a list of more than one chunk is the hash of
 * its chunks' digests, each chunk the hash of its JSON text; a list of one chunk is the hash
 * of its JSON text, as before chunks. Route lists and a table's virtual hosts are chunked
 * alike (a table of several chunks of virtual hosts has `"virtual_hosts:<digest>"` in its
 * text). Under an incremental compiler an edit then hashes the chunks it touched, not the
 * whole list (a 2,000-route list is ~0.5 MB of text).
 */
export class RouteConfigText {
  private readonly digests: {
    get(list: object): string | undefined;
    set(list: object, digest: string): unknown;
  };

  /**
   * `kept` (an incremental compiler's lowering memo) keeps list digests and route texts between
   * compiles: only for route JSON that is never mutated while it lives.
   */
  constructor(
    private readonly kept?: {
      texts: WeakMap<object, string>;
      digests: WeakMap<object, string>;
      virtualHostTexts?: WeakMap<object, string>;
      chunks?: ChunkMemo;
    },
  ) {
    this.digests = kept?.digests ?? new Map<object, string>();
  }

  /** Routes found in more than one distinct route list (see noteSharedRoutes), with their texts once made. */
  private shared: Map<object, string | undefined> | undefined;

  /** The resources noteSharedRoutes was given, until the first version asks which routes they share. */
  private sharedIn: readonly { resource: Json }[] | undefined;

  /**
   * Notes the routes that appear in more than one distinct route list of these resources
   * (wildcard Mappings' routes on every Host's list): each such route is serialized once and
   * its text joined into every list made mostly of them. Other lists stay one native
   * JSON.stringify, which is faster than joining texts of routes serialized alone.
   * The same texts either way, so the same versions. Looked for when the first version is
   * made: a compile whose versions are never read (attache compile) never looks.
   */
  noteSharedRoutes(resources: readonly { resource: Json }[]): void {
    this.sharedIn = resources;
    this.shared = undefined;
  }

  private sharedRoutes(): Map<object, string | undefined> | undefined {
    if (this.sharedIn !== undefined) {
      this.shared = sharedRoutesOf(this.sharedIn);
      this.sharedIn = undefined;
    }
    return this.shared;
  }

  version(routeConfig: Json): string {
    return versionHashOfJson(
      objectText(routeConfig, (key, value) =>
        key === 'virtual_hosts' && Array.isArray(value)
          ? this.virtualHostsText(value, routeConfig.name)
          : undefined,
      ),
    );
  }

  /**
   * The digests of a long list's chunks, or undefined for a list of one chunk. Under an
   * incremental compiler, found from the last list of the same `role` (a table's name, a
   * virtual host's) where the two share items (chunkedFrom).
   */
  private chunkDigests(
    items: unknown[],
    role: string | undefined,
    text: (items: unknown[]) => string,
  ): readonly string[] | undefined {
    const memo = this.kept?.chunks;
    const digestOf = (start: number, end: number) =>
      chunkDigest(items, start, end, memo, () => text(items.slice(start, end)));
    const key = memo !== undefined && role !== undefined ? role : undefined;
    const last = key === undefined ? undefined : memo!.lists.get(key);
    let chunked: ChunkedList;
    if (last !== undefined) chunked = chunkedFrom(items, last, digestOf);
    else {
      const ends = chunkEnds(items);
      if (ends.length <= 1) return undefined;
      chunked = chunkedFrom(items, undefined, digestOf);
    }
    if (key !== undefined) {
      if (chunked.ends.length <= 1) memo!.lists.delete(key);
      else {
        if (last === undefined && memo!.lists.size >= keptListsAtMost) memo!.lists.clear();
        memo!.lists.set(key, chunked);
      }
    }
    return chunked.ends.length <= 1 ? undefined : chunked.digests;
  }

  /** The text of a table's virtual hosts in its version: all of them, or the digest of their chunks. */
  private virtualHostsText(virtualHosts: unknown[], name: unknown): string {
    const textOf = (vh: unknown) => this.virtualHostDigested(vh);
    const digests = this.chunkDigests(
      virtualHosts,
      typeof name === 'string' ? `table ${name}` : undefined,
      (items) => arrayText(items, textOf),
    );
    if (digests === undefined) return arrayText(virtualHosts, textOf);
    return `"virtual_hosts:${versionHashOfJson(digests.join(' '))}"`;
  }

  private virtualHostDigested(vh: unknown): string | undefined {
    if (!isPlainObject(vh)) return JSON.stringify(vh);
    const texts = this.kept?.virtualHostTexts;
    let text = texts?.get(vh);
    if (text === undefined) {
      text = objectText(vh, (key, value) =>
        key === 'routes' && Array.isArray(value) ? this.routesDigest(value, vh.name) : undefined,
      );
      texts?.set(vh, text);
    }
    return text;
  }

  private listText(routes: readonly unknown[], texts: WeakMap<object, string>): string {
    return listTextOf(routes, texts);
  }

  // One native JSON.stringify per distinct list (per chunk of a long one): faster than joining
  // per-route texts, even shared ones.
  private routesDigest(routes: unknown[], vhName: unknown): string {
    let digest = this.digests.get(routes);
    if (digest === undefined) {
      const kept = this.kept;
      const textOf = (items: unknown[]) =>
        kept ? this.listText(items, kept.texts) : sharedListOrNative(items, this.sharedRoutes());
      const digests = this.chunkDigests(
        routes,
        typeof vhName === 'string' ? `routes ${vhName}` : undefined,
        textOf,
      );
      const hash =
        digests === undefined ? versionHashOfJson(textOf(routes)) : versionHashOfJson(digests.join(' '));
      digest = `"routes:${hash}"`;
      this.digests.set(routes, digest);
    }
    return digest;
  }
}

/**
 * Chunk digests kept between compiles: each item object gets a number, and a chunk's digest is
 * kept under its last item with the numbers of all its items (strings only: a kept entry holds
 * no item, so nothing it names outlives its compile).
 */
export interface ChunkMemo {
  ids: WeakMap<object, number>;
  nextId: number;
  byLast: WeakMap<object, Array<{ key: string; digest: string }>>;
  /**
   * The last long list chunked per role (a table's virtual hosts by its name, a virtual host's
   * routes by its name), with its chunks: the next list of that role is chunked from it. Holds
   * one list per role (the last compile's JSON, which the next one mostly shares).
   */
  lists: Map<string, ChunkedList>;
}

export function chunkMemo(): ChunkMemo {
  return { ids: new WeakMap(), nextId: 0, byLast: new WeakMap(), lists: new Map() };
}

/** At most this many lists are kept by role (past it they are forgotten, and kept again as met). */
const keptListsAtMost = 8192;

/** At most this many chunks are remembered per last item. */
const chunksPerLast = 4;

/** The digest of items[start, end) (the hash of `text()`), kept in `memo` when given. */
function chunkDigest(
  items: readonly unknown[],
  start: number,
  end: number,
  memo: ChunkMemo | undefined,
  text: () => string,
): string {
  const last = items[end - 1];
  if (memo === undefined || typeof last !== 'object' || last === null) return versionHashOfJson(text());
  let key = '';
  for (let i = start; i < end; i++) {
    const item = items[i];
    if (typeof item !== 'object' || item === null) {
      key += `j${JSON.stringify(item) ?? 'u'} `;
      continue;
    }
    let id = memo.ids.get(item);
    if (id === undefined) {
      id = memo.nextId++;
      memo.ids.set(item, id);
    }
    key += `${id} `;
  }
  let known = memo.byLast.get(last);
  if (known === undefined) {
    known = [];
    memo.byLast.set(last, known);
  }
  for (const entry of known) if (entry.key === key) return entry.digest;
  const digest = versionHashOfJson(text());
  known.unshift({ key, digest });
  if (known.length > chunksPerLast) known.length = chunksPerLast;
  return digest;
}

/** The routes found in more than one distinct route list of these resources (noteSharedRoutes). */
function sharedRoutesOf(
  resources: readonly { resource: Json }[],
): Map<object, string | undefined> | undefined {
  const lists = new Set<unknown[]>();
  const seen = new Set<object>();
  const shared = new Map<object, string | undefined>();
  for (const { resource } of resources) {
    const virtualHosts = resource.virtual_hosts;
    if (!Array.isArray(virtualHosts)) continue;
    for (const vh of virtualHosts) {
      const routes = isPlainObject(vh) ? vh.routes : undefined;
      if (!Array.isArray(routes) || lists.has(routes)) continue;
      lists.add(routes);
      for (const route of routes) {
        if (typeof route !== 'object' || route === null) continue;
        if (seen.has(route)) shared.set(route, undefined);
        else seen.add(route);
      }
    }
  }
  return shared.size > 0 ? shared : undefined;
}

/** JSON.stringify(routes), joined from the shared routes' texts when most of the list is shared. */
function sharedListOrNative(routes: unknown[], shared: Map<object, string | undefined> | undefined): string {
  return shared && mostlyShared(routes, shared) ? sharedListText(routes, shared) : JSON.stringify(routes);
}

/** JSON.stringify of a list, from texts of its items kept between calls. */
function listTextOf(routes: readonly unknown[], texts: WeakMap<object, string>): string {
  let out = '[';
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    let text: string | undefined;
    if (typeof route === 'object' && route !== null) {
      text = texts.get(route);
      if (text === undefined) {
        text = JSON.stringify(route);
        texts.set(route, text);
      }
    } else text = JSON.stringify(route);
    // JSON.stringify writes null for items without a JSON form.
    out += `${i === 0 ? '' : ','}${text ?? 'null'}`;
  }
  return `${out}]`;
}

/**
 * Whether a quarter or more of a list's routes are shared: below that, serializing the whole
 * list natively beats splitting it into runs around the shared routes (10 Hosts with 1 %
 * of wildcard Mappings: native; 1,000 Hosts with a few Mappings each: shared texts).
 */
function mostlyShared(routes: readonly unknown[], shared: Map<object, string | undefined>): boolean {
  let count = 0;
  for (const route of routes) if (shared.has(route as object)) count++;
  return count > 0 && count * 4 >= routes.length;
}

/**
 * JSON.stringify of a list, with the texts of its shared routes made once (`shared` holds
 * them) and each run of routes of its own serialized natively in one call.
 */
function sharedListText(routes: readonly unknown[], shared: Map<object, string | undefined>): string {
  let out = '[';
  let empty = true;
  const append = (text: string) => {
    out += empty ? text : `,${text}`;
    empty = false;
  };
  let run = 0;
  const flush = (end: number) => {
    // JSON.stringify writes null for items without a JSON form, in a slice as in the whole list.
    if (end > run) append(JSON.stringify(routes.slice(run, end)).slice(1, -1));
  };
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    if (typeof route !== 'object' || route === null || !shared.has(route)) continue;
    flush(i);
    let text = shared.get(route);
    if (text === undefined) {
      text = JSON.stringify(route);
      shared.set(route, text);
    }
    append(text ?? 'null');
    run = i + 1;
  }
  flush(routes.length);
  return `${out}]`;
}

/** JSON.stringify of an object, with `special` giving the text of some values (undefined: the default). */
function objectText(object: Json, special: (key: string, value: unknown) => string | undefined): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const text = special(key, value) ?? JSON.stringify(value);
    // JSON.stringify leaves out keys whose value has no JSON form (undefined, functions).
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

function arrayText(items: readonly unknown[], itemText: (item: unknown) => string | undefined): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    // JSON.stringify writes null for items without a JSON form.
    out += `${i === 0 ? '' : ','}${itemText(items[i]) ?? 'null'}`;
  }
  return `${out}]`;
}
