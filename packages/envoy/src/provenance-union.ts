import { type ResourceRef, refKey } from '@attache/core';
import type { ResourcePart } from './lower/common.js';
import { RoutePart } from './lower/route-part.js';

// The same ref objects recur in many parts (a Mapping's routes on every virtual host): core's
// refKey remembers each ref's key, one cache with mergeProvenance's.
const cachedResourceKey = refKey;

/** Refs with distinct resource keys, sorted by key; `keys[i]` is the key of `refs[i]`. */
interface SortedRefs {
  keys: string[];
  refs: ResourceRef[];
}

/**
 * The refs behind every route of an IR route list, first occurrence winning, sorted by key.
 * Route lists are shared by several virtual hosts and route configurations (the cleartext
 * table and each Host's TLS table), and never mutated once made: computed once per list.
 */
const listRefs = new WeakMap<readonly unknown[], SortedRefs>();
function refsOfList(list: readonly { provenance: readonly ResourceRef[] }[]): SortedRefs {
  let sorted = listRefs.get(list);
  if (sorted === undefined) {
    sorted = sortedRefs(distinctRefs(list));
    listRefs.set(list, sorted);
  }
  return sorted;
}

/** The distinct ref objects of some provenance lists, in order of first occurrence. */
function distinctRefs(holders: readonly { provenance: readonly ResourceRef[] }[]): Set<ResourceRef> {
  const distinct = new Set<ResourceRef>();
  let previous: readonly ResourceRef[] | undefined;
  for (const holder of holders) {
    const refs = holder.provenance;
    if (refs === previous) continue;
    previous = refs;
    for (let i = 0; i < refs.length; i++) distinct.add(refs[i]!);
  }
  return distinct;
}

/** Up to this many refs, sortedRefs inserts into sorted arrays instead of building a Map. */
const fewRefs = 12;

/** Deduplicated by resource key (the first in `refs`' order wins), sorted by key. */
function sortedRefs(
  refs: Iterable<ResourceRef> & { readonly length?: number; readonly size?: number },
): SortedRefs {
  if ((refs.length ?? refs.size ?? fewRefs + 1) <= fewRefs) return fewSortedRefs(refs);
  const byKey = new Map<string, ResourceRef>();
  for (const ref of refs) {
    const key = cachedResourceKey(ref);
    if (!byKey.has(key)) byKey.set(key, ref);
  }
  // Keys are unique, so sorting them alone is the same order; the default sort
  // compares UTF-16 code units exactly as compareStrings does, without a callback.
  const keys = [...byKey.keys()].sort();
  return { keys, refs: keys.map((key) => byKey.get(key)!) };
}

/** sortedRefs of a few refs: insertion into sorted arrays (the refs behind one filter chain or virtual host). */
function fewSortedRefs(refs: Iterable<ResourceRef>): SortedRefs {
  const keys: string[] = [];
  const sorted: ResourceRef[] = [];
  for (const ref of refs) {
    const key = cachedResourceKey(ref);
    let at = keys.length;
    while (at > 0 && keys[at - 1]! > key) at--;
    // Already there: the earlier ref of this key stays.
    if (at > 0 && keys[at - 1] === key) continue;
    // Inserted by shifting the tail (splice would allocate the array of removed items each time).
    keys.push(key);
    sorted.push(ref);
    for (let i = keys.length - 1; i > at; i--) {
      keys[i] = keys[i - 1]!;
      sorted[i] = sorted[i - 1]!;
    }
    keys[at] = key;
    sorted[at] = ref;
  }
  return { keys, refs: sorted };
}

/**
 * mergeProvenance(...lists) (core): the refs of every list, deduplicated by resource key
 * (the first wins), sorted by key, with each ref's key computed once.
 */
export function mergeRefLists(...lists: ReadonlyArray<readonly ResourceRef[]>): ResourceRef[] {
  const all: ResourceRef[] = [];
  for (const list of lists) for (const ref of list) all.push(ref);
  return sortedRefs(all).refs;
}

/** Merges two key-sorted ref lists; for a key in both, `first`'s ref is kept (it occurred earlier). */
function mergeSorted(first: SortedRefs, second: SortedRefs): SortedRefs {
  const keys: string[] = [];
  const refs: ResourceRef[] = [];
  let i = 0;
  let j = 0;
  while (i < first.keys.length && j < second.keys.length) {
    const a = first.keys[i]!;
    const b = second.keys[j]!;
    if (a <= b) {
      keys.push(a);
      refs.push(first.refs[i++]!);
      if (a === b) j++;
    } else {
      keys.push(b);
      refs.push(second.refs[j++]!);
    }
  }
  for (; i < first.keys.length; i++) {
    keys.push(first.keys[i]!);
    refs.push(first.refs[i]!);
  }
  for (; j < second.keys.length; j++) {
    keys.push(second.keys[j]!);
    refs.push(second.refs[j]!);
  }
  return { keys, refs };
}

/** Above this many whole route lists, one sort of every distinct ref beats merging them pairwise. */
const mergedListsAtMost = 64;

/**
 * mergeProvenance(own, ...parts' provenance) for thousands of parts: the same
 * result (deduplicated by resource key, first occurrence wins, sorted by key),
 * with each key computed once instead of in every comparison. The routes of a
 * route list come in whole lists (a virtual host's), and a list is shared by
 * several route configurations (the cleartext table and a Host's TLS table):
 * its refs are sorted once, and a route configuration merges its lists' sorted
 * refs with the few refs of its own and of its virtual hosts.
 */
export function unionProvenance(own: readonly ResourceRef[], parts: readonly ResourcePart[]): ResourceRef[] {
  // The parts in order: whole route lists, and the refs between them (own refs first).
  const segments: Array<SortedRefs | ResourceRef[]> = [];
  let loose: ResourceRef[] = [...own];
  let lists = 0;
  for (let i = 0; i < parts.length; ) {
    const part = parts[i]!;
    if (part instanceof RoutePart && part.index === 0 && isWholeList(parts, i, part.list)) {
      if (loose.length > 0) segments.push(loose);
      loose = [];
      segments.push(refsOfList(part.list));
      lists++;
      i += part.list.length;
      continue;
    }
    for (const ref of part.provenance) loose.push(ref);
    i++;
  }
  if (loose.length > 0) segments.push(loose);
  if (lists === 0 || lists > mergedListsAtMost) {
    // A list's refs are its distinct keys, each with the ref that occurred first in it, so
    // adding them in key order keeps which ref of a key occurs first overall.
    const distinct = new Set<ResourceRef>();
    for (const segment of segments) {
      for (const ref of Array.isArray(segment) ? segment : segment.refs) distinct.add(ref);
    }
    return sortedRefs(distinct).refs;
  }
  // Pairwise merges of neighbours, the earlier on the left, so the first occurrence still wins.
  let level = segments.map((segment) => (Array.isArray(segment) ? sortedRefs(segment) : segment));
  while (level.length > 1) {
    const next: SortedRefs[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? mergeSorted(level[i]!, level[i + 1]!) : level[i]!);
    }
    level = next;
  }
  // A copy: a list's sorted refs are kept for the other resources that hold the list.
  return level.length === 0 ? [] : level[0]!.refs.slice();
}

/** Whether parts[at…] are the route parts of every route of `list`, in order. */
export function isWholeList(parts: readonly ResourcePart[], at: number, list: readonly unknown[]): boolean {
  if (at + list.length > parts.length) return false;
  for (let k = 0; k < list.length; k++) {
    const part = parts[at + k];
    if (!(part instanceof RoutePart) || part.list !== list || part.index !== k) return false;
  }
  return true;
}
