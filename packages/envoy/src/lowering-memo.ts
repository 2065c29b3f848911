import {
  type IRFilterChain,
  type IRListener,
  type IRRoute,
  type IRRouteConfig,
  type IRVirtualHost,
  KeptByString,
  type PassMemo,
  type ResourceRef,
  TypeUrl,
  type XdsResource,
} from '@attache/core';
import type { Admission } from './admit.js';
import { type ChunkMemo, chunkMemo } from './json-text.js';
import type { Json, LoweredResource, ResourcePart } from './lower/common.js';
import { NameMoves } from './name-moves.js';
import type { DanglingReference, EmittedNames, ListenerFindings, RouteListFindings } from './references.js';

/**
 * What `envoy.lower` keeps from one compile to the next under an incremental
 * compiler (`ctx.memo`), all keyed by object identity. Sound because nothing
 * is mutated once made: IR routes are replaced copy-on-write (`replaceRoutes`),
 * and lowered JSON is never edited (admission prunes copies). A route the
 * http plugin kept from the last compile (same Mapping, same Host, same
 * Module) is the same IR object, so its lowering, its validation verdict and
 * its JSON text are reused; everything else is computed as usual.
 */
export interface LoweringMemo {
  /** The lowered route of an IR route (under this memo's regex limit, lowerRoute's only other input). */
  routes: WeakMap<IRRoute, Json>;
  /** The lowered route list of an IR route list (never mutated once made, like IR routes). */
  irLists: WeakMap<readonly IRRoute[], Json[]>;
  /** Lowered route lists, by their last route: a new list with the same routes is the old list again. */
  lists: WeakMap<Json, Json[][]>;
  /** Fast validation verdicts by JSON object (validate-fast's accepted memo). */
  accepted: WeakMap<object, unknown>;
  /** JSON.stringify text of a lowered route. */
  texts: WeakMap<object, string>;
  /** Version digest of a lowered route list. */
  digests: WeakMap<object, string>;
  /**
   * The JSON texts of resources (other than route configurations) that validation accepted
   * whole, with their version: a resource lowered to the same text again (a cluster, a
   * listener, a secret) is valid again with the same version, whatever object holds it.
   */
  admitted: KeptByString<string>;
  /**
   * Per route configuration name, what its last lowering was made of (keptRouteConfig): the IR
   * configuration, its virtual hosts sorted, their lowered JSON and parts, and the result.
   */
  lastRouteConfigs: Map<string, LastRouteConfig>;
  /** The admission of a lowered resource kept above (the same object gets the same admission). */
  admissions: WeakMap<LoweredResource, Admission>;
  /** Lowered virtual hosts by what they are made of (see virtualHostKey), with their parts per position. */
  virtualHosts: KeptByString<{ json: Json; parts: Map<number, ResourcePart[]> }>;
  /** The key of an IR virtual host (never mutated once built, like IR routes). */
  virtualHostKeys: WeakMap<IRVirtualHost, string>;
  /** Digested JSON text of a lowered virtual host (json-text.ts). */
  virtualHostTexts: WeakMap<object, string>;
  /** Digests of chunks of long route lists and virtual host lists (json-text.ts). */
  chunks: ChunkMemo;
  /** The lowering of an IR cluster, secret, endpoint set or listener (by object: none is mutated once made). */
  lowered: WeakMap<object, { salt: unknown; lowered: LoweredResource }>;
  /** Dangling-reference findings per IR route list and per IR listener, for the refused clusters below. */
  danglingLists:
    | {
        refused: ReadonlySet<string>;
        lists: WeakMap<
          readonly IRRoute[],
          {
            emitted: string[];
            missing: string[];
            /** Both, for a lookup per name that came or went. */
            names: ReadonlySet<string>;
            findings: DanglingReference[];
            checked: number;
          }
        >;
        listeners: WeakMap<IRListener, { findings: DanglingReference[]; checked: number; tcp: boolean }>;
        configs: WeakMap<
          IRRouteConfig,
          {
            findings: DanglingReference[];
            checked: number;
            /** The cluster names its routes forward or mirror to, when few lists hold them (undefined: many). */
            names: ReadonlySet<string> | undefined;
          }
        >;
        chains: WeakMap<IRFilterChain, { findings: DanglingReference[]; checked: number }>;
      }
    | undefined;
  /** The names emitted by the last compile, by type URL (keptDanglingLists compares them). */
  lastEmitted: EmittedNames | undefined;
  /** Compiles seen by keptDanglingLists (entries note the one they were checked at). */
  danglingCompiles: number;
  /** The cluster names that came or went at each recent compile (keptDanglingLists). */
  clusterMoves: NameMoves;
  /** At each recent compile, `[]` when no secret or route configuration name came or went. */
  httpNameMoves: NameMoves;
  /** The last sorted list of each IR record (lower/index.ts), with the values it was sorted from. */
  sorted: Map<
    string,
    {
      values: readonly { name: string }[];
      sorted: unknown[];
      /** The value index at each sorted position, and the sorted position of each value index. */
      order: number[] | undefined;
      rank: number[] | undefined;
      /** What changed since the call before (sortedChange). */
      changed: number[] | undefined;
      /** Where each position was in the list before, when objects came or went (sortedFrom). */
      from: number[] | undefined;
      fromOf: readonly unknown[] | undefined;
    }
  >;
  /**
   * Per IR record (lower/index.ts), its last lowering in name order and, per type, what
   * envoy.lower made of it (admissions, emitted names, rejections): kept while the record's
   * sorted objects are the same, patched at the positions that changed.
   */
  slots: Map<string, KeptSlot>;
  /** Per slot, the admissions envoy.lower emitted last, with their names and those with rejections. */
  slotNames: Map<
    string,
    { admissions: Admission[]; names: Set<string>; rejections: Admission[]; resources: XdsResource[] }
  >;
  /** A number per lowered route list, for keys. */
  listIds: WeakMap<Json[], number>;
  nextListId: number;
}

/** One IR record's lowering as kept between compiles (LoweringMemo.slots). */
export interface KeptSlot {
  sorted: readonly unknown[];
  salt: unknown;
  lowered: LoweredResource[];
  /** envoy-plugin.ts's admissions of `lowered` (before routes to refused clusters are left out). */
  admissions?: Admission[];
}

/** A route configuration as lowered last (see LoweringMemo.lastRouteConfigs). */
export interface LastRouteConfig {
  config: IRRouteConfig;
  sorted: readonly IRVirtualHost[];
  virtualHosts: readonly Json[];
  parts: readonly ResourcePart[][];
  lowered: LoweredResource;
}

function listId(memo: LoweringMemo, list: Json[]): number {
  let id = memo.listIds.get(list);
  if (id === undefined) {
    id = memo.nextListId++;
    memo.listIds.set(list, id);
  }
  return id;
}

// Provenance lists are never mutated once made; the http plugin keeps them between compiles.
const provenanceTexts = new WeakMap<readonly ResourceRef[], string>();

/** JSON text of a provenance list, made once per list object. */
export function provenanceText(provenance: readonly ResourceRef[]): string {
  let text = provenanceTexts.get(provenance);
  if (text === undefined) {
    text = JSON.stringify(provenance);
    provenanceTexts.set(provenance, text);
  }
  return text;
}

/** Everything a lowered virtual host and its parts are made of: its fields and its lowered route list. */
export function virtualHostKey(memo: LoweringMemo, vh: IRVirtualHost, routes: Json[]): string {
  // Asked twice for a virtual host whose route configuration changed: computed once per object.
  let key = memo.virtualHostKeys.get(vh);
  if (key === undefined) {
    key = virtualHostKeyOf(memo, vh, routes);
    memo.virtualHostKeys.set(vh, key);
  }
  return key;
}

function virtualHostKeyOf(memo: LoweringMemo, vh: IRVirtualHost, routes: Json[]): string {
  return `${listId(memo, routes)} ${JSON.stringify([
    vh.name,
    vh.domains,
    vh.requireTls ?? null,
    vh.cors ?? null,
    vh.typedPerFilterConfig ?? null,
    vh.provenance,
  ])}`;
}

const memoKey = {};

/** The lowering memo of this incremental compiler for this regex limit (a new one when the limit changes). */
export function loweringMemo(memo: PassMemo, limitsSalt: string): LoweringMemo {
  return memo.reuse(memoKey, limitsSalt, () => ({
    routes: new WeakMap(),
    lists: new WeakMap(),
    irLists: new WeakMap(),
    accepted: new WeakMap(),
    texts: new WeakMap(),
    digests: new WeakMap(),
    admitted: new KeptByString<string>(),
    lastRouteConfigs: new Map(),
    virtualHosts: new KeptByString(),
    virtualHostKeys: new WeakMap(),
    virtualHostTexts: new WeakMap(),
    chunks: chunkMemo(),
    admissions: new WeakMap(),
    listIds: new WeakMap(),
    nextListId: 0,
    lowered: new WeakMap(),
    danglingLists: undefined,
    lastEmitted: undefined,
    danglingCompiles: 0,
    clusterMoves: new NameMoves(),
    httpNameMoves: new NameMoves(),
    sorted: new Map(),
    slots: new Map(),
    slotNames: new Map(),
  }));
}

/** At most this many lists are remembered per last route (the cleartext and TLS tables of a few Hosts). */
const listsPerKey = 8;

/** `lowered` itself, or an earlier list with exactly the same route objects in the same order. */
export function sameListAsBefore(memo: LoweringMemo, lowered: Json[]): Json[] {
  const last = lowered[lowered.length - 1];
  if (last === undefined) return lowered;
  const candidates = memo.lists.get(last);
  if (candidates) {
    for (const list of candidates) {
      if (list.length === lowered.length && list.every((json, i) => json === lowered[i])) return list;
    }
    candidates.unshift(lowered);
    if (candidates.length > listsPerKey) candidates.length = listsPerKey;
  } else memo.lists.set(last, [lowered]);
  return lowered;
}

/**
 * `lower(ir)`, kept per IR object under an incremental compiler: an IR resource
 * the http plugin kept from the last compile (a cluster of the same upstream and
 * Mappings) is the same lowered object again, so its admission is reused too.
 * `salt` is the identity of any other input (a listener's shared access loggers).
 */
export function keptLowering<T extends object>(
  memo: LoweringMemo | undefined,
  ir: T,
  lower: (ir: T) => LoweredResource,
  salt?: unknown,
): LoweredResource {
  if (!memo) return lower(ir);
  const known = memo.lowered.get(ir);
  if (known !== undefined && known.salt === salt) return known.lowered;
  const lowered = lower(ir);
  memo.lowered.set(ir, { salt, lowered });
  return lowered;
}

/**
 * What a route list's dangling references were, kept by list (IR route lists are never
 * mutated) with whether each cluster it names was emitted: valid while each of those is
 * emitted as it was then (an edit that adds or removes an unrelated cluster keeps it).
 * Refused clusters also decide findings: a new memo starts when that set changes.
 * A listener's (and a filter chain's) findings are kept by object, valid while no secret or
 * route configuration name came or went, nor a cluster name for one with a TCP chain. An entry
 * checked at one of the last compiles (NameMoves.kept) is valid without looking at all its names
 * when none of the names that came or went since is one of them.
 */
export function keptDanglingLists(
  memo: LoweringMemo,
  clusters: ReadonlySet<string> | undefined,
  refused: ReadonlySet<string>,
  emittedNames?: EmittedNames,
  /** The cluster names that came or went since the last compile, when the caller knows them. */
  clustersMoved?: readonly string[],
): RouteListFindings & ListenerFindings {
  const emitted = clusters ?? new Set<string>();
  let known = memo.danglingLists;
  if (known === undefined || !sameSet(known.refused, refused)) {
    known = {
      refused: new Set(refused),
      lists: new WeakMap(),
      listeners: new WeakMap(),
      configs: new WeakMap(),
      chains: new WeakMap(),
    };
    memo.danglingLists = known;
  }
  const last = memo.lastEmitted;
  memo.lastEmitted = emittedNames;
  const compile = ++memo.danglingCompiles;
  // Without the names of this and the last compile, nothing counts as unchanged.
  const unchanged = (typeUrl: string) =>
    emittedNames !== undefined && last !== undefined && sameSet(last.get(typeUrl), emittedNames.get(typeUrl));
  // The cluster names that came or went since the last compile, when few: an entry checked at
  // a recent compile stays valid unless one of the names that moved since is one of its own.
  const clusterMoves = memo.clusterMoves;
  clusterMoves.record(
    compile,
    clustersMoved !== undefined && last !== undefined
      ? clustersMoved
      : unchanged(TypeUrl.Cluster)
        ? []
        : movedNames(last?.get(TypeUrl.Cluster), emittedNames?.get(TypeUrl.Cluster)),
  );
  // An HTTP chain names secrets and a route configuration; only a TCP chain names clusters.
  const httpMoves = memo.httpNameMoves;
  httpMoves.record(
    compile,
    unchanged(TypeUrl.Secret) && unchanged(TypeUrl.RouteConfiguration) ? [] : undefined,
  );
  const namesUnchanged = (tcp: boolean, checked: number) =>
    httpMoves.untouched(checked) && (!tcp || clusterMoves.untouched(checked));
  const { lists, listeners, configs, chains } = known;
  return {
    get(routes) {
      const entry = lists.get(routes);
      if (entry === undefined) return undefined;
      if (!clusterMoves.untouched(entry.checked, entry.names)) {
        for (const name of entry.emitted) if (!emitted.has(name)) return undefined;
        for (const name of entry.missing) if (emitted.has(name)) return undefined;
      }
      entry.checked = compile;
      return entry.findings;
    },
    set(routes, findings) {
      const emittedNow: string[] = [];
      const missing: string[] = [];
      const seen = new Set<string>();
      for (const route of routes) {
        if (route.action.kind !== 'forward') continue;
        for (const c of route.action.clusters) seen.add(c.cluster);
        for (const s of route.action.shadows ?? []) seen.add(s.cluster);
      }
      for (const name of seen) (emitted.has(name) ? emittedNow : missing).push(name);
      lists.set(routes, { emitted: emittedNow, missing, names: seen, findings, checked: compile });
    },
    listener(listener) {
      const entry = listeners.get(listener);
      if (entry === undefined || !namesUnchanged(entry.tcp, entry.checked)) return undefined;
      entry.checked = compile;
      return entry.findings;
    },
    setListener(listener, findings) {
      const chains = [
        ...listener.filterChains,
        ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : []),
      ];
      listeners.set(listener, { findings, checked: compile, tcp: chains.some((c) => c.kind === 'tcp') });
    },
    // A route configuration's findings: valid while none of the cluster names it names came or
    // went since they were made (with its names unknown, while no cluster name did).
    config(config) {
      const entry = configs.get(config);
      if (entry === undefined || !clusterMoves.untouched(entry.checked, entry.names)) return undefined;
      entry.checked = compile;
      return entry.findings;
    },
    setConfig(config, findings) {
      configs.set(config, { findings, checked: compile, names: configNames(config, lists) });
    },
    chain(chain) {
      const entry = chains.get(chain);
      if (entry === undefined || !namesUnchanged(chain.kind === 'tcp', entry.checked)) return undefined;
      entry.checked = compile;
      return entry.findings;
    },
    setChain(chain, findings) {
      chains.set(chain, { findings, checked: compile });
    },
  };
}

/** Route configurations with more virtual hosts than this, or names, have no names set of their own. */
const configNamesUpTo = 16;
const configNamesAtMost = 256;

/**
 * The cluster names a route configuration's lists name (their kept entries' own set for one
 * list), or undefined when it has many virtual hosts or names, or a list has no entry.
 */
function configNames(
  config: IRRouteConfig,
  lists: WeakMap<readonly IRRoute[], { names: ReadonlySet<string> }>,
): ReadonlySet<string> | undefined {
  const vhs = config.virtualHosts;
  if (vhs.length > configNamesUpTo) return undefined;
  if (vhs.length === 1) return lists.get(vhs[0]!.routes)?.names;
  const names = new Set<string>();
  for (const vh of vhs) {
    const entry = lists.get(vh.routes);
    if (entry === undefined) return undefined;
    // (A table of a few Hosts with thousands of routes: made again on every edit, not worth a set.)
    if (names.size + entry.names.size > configNamesAtMost) return undefined;
    for (const name of entry.names) names.add(name);
  }
  return names;
}

/** The names in one set and not the other (at most 64 of them), or undefined. */
function movedNames(
  before: ReadonlySet<string> | undefined,
  now: ReadonlySet<string> | undefined,
): string[] | undefined {
  if (before === undefined || now === undefined || Math.abs(before.size - now.size) > 64) return undefined;
  const moved: string[] = [];
  for (const name of now) if (!before.has(name) && moved.push(name) > 64) return undefined;
  for (const name of before) if (!now.has(name) && moved.push(name) > 64) return undefined;
  return moved;
}

function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a.size !== b.size) return false;
  for (const item of b) if (!a.has(item)) return false;
  return true;
}

/**
 * `sort(values)` (by name), or the last result when the values are the same objects in the same
 * order; when only some objects are new, each under the name its position held before (a
 * cluster edited in place), the last order with this compile's objects. What changed since the
 * last call for the slot is then `sortedChange(memo, slot)`.
 */
export function keptSorted<T extends { name: string }>(
  memo: LoweringMemo,
  slot: string,
  values: readonly T[],
  sort: (values: T[]) => T[],
): T[] {
  const before = memo.sorted.get(slot);
  if (before !== undefined && before.values.length === values.length) {
    let same = true;
    let sameNames = true;
    const changed: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const was = before.values[i]!;
      const is = values[i]!;
      if (was === is) continue;
      same = false;
      if (was.name !== is.name) {
        sameNames = false;
        break;
      }
      changed.push(i);
    }
    if (same) {
      before.changed = [];
      before.from = undefined;
      return before.sorted as T[];
    }
    if (sameNames && before.order !== undefined && before.rank !== undefined) {
      const sorted = before.order.map((i) => values[i]!);
      const rank = before.rank;
      memo.sorted.set(slot, {
        values,
        sorted,
        order: before.order,
        rank,
        changed: changed.map((i) => rank[i]!).sort((a, b) => a - b),
        from: undefined,
        fromOf: undefined,
      });
      return sorted;
    }
  }
  if (before !== undefined) {
    const middle = middleMerged(before, values, sort);
    if (middle !== undefined) {
      memo.sorted.set(slot, { values, ...middle, changed: undefined, fromOf: before.sorted });
      return middle.sorted as T[];
    }
  }
  const positions = new Map<T, number>();
  for (let i = 0; i < values.length; i++) positions.set(values[i]!, i);
  const merged =
    before !== undefined ? mergedOrder(before.sorted as T[], values, positions, sort) : undefined;
  if (merged !== undefined) {
    const { sorted, from } = merged;
    const order = sorted.map((value) => positions.get(value)!);
    const rank: number[] = new Array(order.length);
    for (let p = 0; p < order.length; p++) rank[order[p]!] = p;
    memo.sorted.set(slot, { values, sorted, order, rank, changed: undefined, from, fromOf: before!.sorted });
    return sorted;
  }
  const sorted = sort(values.slice());
  // (An object held twice has one position: no order to replay then.)
  const order = positions.size === values.length ? sorted.map((value) => positions.get(value)!) : undefined;
  let rank: number[] | undefined;
  if (order !== undefined) {
    rank = new Array(order.length);
    for (let p = 0; p < order.length; p++) rank[order[p]!] = p;
  }
  memo.sorted.set(slot, {
    values,
    sorted,
    order,
    rank,
    changed: undefined,
    from: undefined,
    fromOf: undefined,
  });
  return sorted;
}

/**
 * The sort of `values` from the last sorted list when few objects came or went (an added or
 * removed cluster): the objects still there in their last order, the new ones sorted and merged
 * in by name; `from` gives each position's index in the last list (-1: a new object). Undefined
 * when many changed, an object is held twice, or a new name equals a kept one (a full sort
 * decides ties).
 */
function mergedOrder<T extends { name: string }>(
  last: readonly T[],
  values: readonly T[],
  positions: ReadonlyMap<T, number>,
  sort: (values: T[]) => T[],
): { sorted: T[]; from: number[] } | undefined {
  if (positions.size !== values.length) return undefined;
  const kept: T[] = [];
  const keptFrom: number[] = [];
  for (let i = 0; i < last.length; i++) {
    if (!positions.has(last[i]!)) continue;
    // Two objects of one name: their order is the values' (a full sort's tie), not the last one's.
    if (kept.length > 0 && kept[kept.length - 1]!.name === last[i]!.name) return undefined;
    kept.push(last[i]!);
    keptFrom.push(i);
  }
  const fresh = values.length - kept.length;
  if (fresh + (last.length - kept.length) > Math.max(8, values.length / 8)) return undefined;
  const known = new Set<T>(kept);
  const added = sort(values.filter((value) => !known.has(value)));
  const sorted: T[] = new Array(values.length);
  const from: number[] = new Array(values.length);
  let k = 0;
  let a = 0;
  for (let p = 0; p < values.length; p++) {
    const next = added[a];
    const keep = kept[k];
    if (next !== undefined && keep !== undefined && next.name === keep.name) return undefined;
    if (next !== undefined && (keep === undefined || next.name < keep.name)) {
      sorted[p] = next;
      from[p] = -1;
      a++;
    } else {
      sorted[p] = keep!;
      from[p] = keptFrom[k]!;
      k++;
    }
  }
  return { sorted, from };
}

/**
 * The sort of `values` from the last one when they are the last values with a few in the middle
 * replaced (the same names in the same order before and after: a cluster added or removed),
 * without a lookup per object: the last sorted list without the names that went, each kept name
 * this compile's object, and the new ones sorted and merged in by name; `order`, `rank` and
 * `from` as keptSorted keeps them.
 * Undefined when many changed, an object is new twice, or a new object has the name of a kept
 * one (a full sort decides that tie).
 */
function middleMerged<T extends { name: string }>(
  before: {
    values: readonly { name: string }[];
    sorted: unknown[];
    order: number[] | undefined;
    rank: number[] | undefined;
  },
  values: readonly T[],
  sort: (values: T[]) => T[],
): { sorted: T[]; order: number[]; rank: number[]; from: number[] } | undefined {
  const { order: lastOrder, rank: lastRank } = before;
  if (lastOrder === undefined || lastRank === undefined) return undefined;
  const last = before.values;
  const lastSorted = before.sorted as T[];
  const m = last.length;
  const n = values.length;
  const most = Math.min(m, n);
  // Compared by name: an object replaced under its name (a cluster whose Mappings changed) is
  // in place in the values' order, and looked up again like a new one.
  let head = 0;
  while (head < most && last[head]!.name === values[head]!.name) head++;
  let tail = 0;
  while (tail < most - head && last[m - 1 - tail]!.name === values[n - 1 - tail]!.name) tail++;
  const come = n - head - tail;
  if (come + (m - head - tail) > Math.max(8, n / 8)) return undefined;
  // The sorted positions of the objects that went.
  const gone = new Uint8Array(m);
  for (let i = head; i < m - tail; i++) gone[lastRank[i]!] = 1;
  const index = new Map<T, number>();
  for (let i = head; i < n - tail; i++) index.set(values[i]!, i);
  if (index.size !== come) return undefined;
  const added = sort(values.slice(head, n - tail));
  const sorted: T[] = new Array(n);
  const order: number[] = new Array(n);
  const from: number[] = new Array(n);
  let p = 0;
  let a = 0;
  // (Kept objects keep their relative order, so ties among them are ordered as a full sort would.)
  for (let q = 0; q < n; q++) {
    while (p < m && gone[p] === 1) p++;
    const keep = p < m ? lastSorted[p] : undefined;
    const next = added[a];
    if (next !== undefined && keep !== undefined && next.name === keep.name) return undefined;
    if (next !== undefined && (keep === undefined || next.name < keep.name)) {
      sorted[q] = next;
      order[q] = index.get(next)!;
      from[q] = -1;
      a++;
    } else {
      const i = lastOrder[p]!;
      // A kept name is in the shared head or, shifted, in the shared tail.
      const at = i < head ? i : i - m + n;
      sorted[q] = values[at]!;
      order[q] = at;
      from[q] = values[at] === keep ? p : -1;
      p++;
    }
  }
  const rank: number[] = new Array(n);
  for (let q = 0; q < n; q++) rank[order[q]!] = q;
  return { sorted, order, rank, from };
}

/**
 * For the last keptSorted result of a slot made by merging (objects came or went), each
 * position's index in `before`, the result before it (-1: a new object, or one that moved in
 * the values' order, whose lowering is looked up by object); undefined otherwise.
 */
export function sortedFrom(
  memo: LoweringMemo,
  slot: string,
  before: readonly unknown[],
): readonly number[] | undefined {
  const entry = memo.sorted.get(slot);
  return entry?.fromOf === before ? entry.from : undefined;
}

/**
 * How the last keptSorted result of a slot differs from the one before: `[]` the same objects
 * in the same order, else the sorted positions whose object is new (the names all the same), or
 * undefined when it was sorted anew.
 */
export function sortedChange(memo: LoweringMemo, slot: string): readonly number[] | undefined {
  return memo.sorted.get(slot)?.changed;
}
