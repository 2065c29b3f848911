import { type ResourceRef, resourceKey } from '@attache/core';
import type { ResourcePart } from './lower/common.js';
import { RoutePart } from './lower/route-part.js';
import { isWholeList, unionProvenance } from './provenance-union.js';

/** The distinct ref objects behind an IR route list's routes (lists are never mutated once made). */
const listRefs = new WeakMap<readonly unknown[], ResourceRef[]>();
function refsOfList(list: readonly { provenance: readonly ResourceRef[] }[]): ResourceRef[] {
  let refs = listRefs.get(list);
  if (refs === undefined) {
    const distinct = new Set<ResourceRef>();
    for (const route of list) for (const ref of route.provenance) distinct.add(ref);
    refs = [...distinct];
    listRefs.set(list, refs);
  }
  return refs;
}

// The same ref objects recur in many lists (a Mapping's routes on every virtual host).
const refKeys = new WeakMap<ResourceRef, string>();
function keyOf(ref: ResourceRef): string {
  let key = refKeys.get(ref);
  if (key === undefined) {
    key = resourceKey(ref);
    refKeys.set(ref, key);
  }
  return key;
}

/** What a resource's provenance is made of: whole route lists (by identity) and loose refs, with counts. */
type Bag = Map<readonly unknown[] | ResourceRef, number>;

function bagOf(own: readonly ResourceRef[], parts: readonly ResourcePart[]): Bag {
  const bag: Bag = new Map();
  const add = (item: readonly unknown[] | ResourceRef) => bag.set(item, (bag.get(item) ?? 0) + 1);
  for (const ref of own) add(ref);
  for (let i = 0; i < parts.length; ) {
    const part = parts[i]!;
    if (part instanceof RoutePart && part.index === 0 && isWholeList(parts, i, part.list)) {
      add(part.list);
      i += part.list.length;
      continue;
    }
    for (const ref of part.provenance) add(ref);
    i++;
  }
  return bag;
}

const refsOf = (item: readonly unknown[] | ResourceRef): readonly ResourceRef[] =>
  Array.isArray(item)
    ? refsOfList(item as readonly { provenance: readonly ResourceRef[] }[])
    : [item as ResourceRef];

/**
 * unionProvenance(own, parts) of one resource, kept from one compile to the next: a route
 * configuration whose virtual hosts changed in one route list gets its provenance by taking
 * that list's refs out and the new list's in, not by merging every list again (a table of
 * thousands of virtual hosts sorts every distinct ref of them otherwise). Each ref key is
 * counted with the one ref object it has; a key seen with two ref objects (the union then
 * keeps the first occurrence, which counting cannot tell) makes it compute in full.
 */
export class KeptProvenance {
  private bag: Bag = new Map();
  private counts = new Map<string, { ref: ResourceRef; n: number }>();
  private keys: string[] = [];
  private refs: ResourceRef[] = [];
  private valid = false;
  /** Compiles whose provenance was patched rather than computed in full (for tests and benches). */
  patches = 0;

  union(own: readonly ResourceRef[], parts: readonly ResourcePart[]): ResourceRef[] {
    const bag = bagOf(own, parts);
    if (this.valid && this.patch(bag)) {
      this.bag = bag;
      this.patches++;
      return this.refs.slice();
    }
    this.valid = this.rebuild(bag);
    this.bag = bag;
    return this.valid ? this.refs.slice() : unionProvenance(own, parts);
  }

  private rebuild(bag: Bag): boolean {
    this.counts = new Map();
    for (const [item, n] of bag) {
      for (const ref of refsOf(item)) if (!this.count(ref, n)) return false;
    }
    this.keys = [...this.counts.keys()].sort();
    this.refs = this.keys.map((key) => this.counts.get(key)!.ref);
    return true;
  }

  /** Adds `n` uses of `ref` (negative: removes); false when its key has another ref object. */
  private count(ref: ResourceRef, n: number): boolean {
    const key = keyOf(ref);
    const entry = this.counts.get(key);
    if (entry === undefined) {
      this.counts.set(key, { ref, n });
      return true;
    }
    if (entry.ref !== ref) return false;
    entry.n += n;
    return true;
  }

  /** The last result moved to `bag`; false when it cannot be (then rebuilt in full). */
  private patch(bag: Bag): boolean {
    // Net uses per ref object: a route list replaced by one sharing most of its routes (an edit
    // of one Mapping) cancels out ref by ref, so only the refs that came or went are keyed.
    const deltas = new Map<ResourceRef, number>();
    const add = (item: readonly unknown[] | ResourceRef, n: number) => {
      for (const ref of refsOf(item)) deltas.set(ref, (deltas.get(ref) ?? 0) + n);
    };
    for (const [item, n] of bag) {
      const before = this.bag.get(item) ?? 0;
      if (n !== before) add(item, n - before);
    }
    for (const [item, n] of this.bag) if (!bag.has(item)) add(item, -n);
    const changes: Array<[ResourceRef, number]> = [];
    for (const [ref, delta] of deltas) if (delta !== 0) changes.push([ref, delta]);
    if (changes.length === 0) return true;
    // Uses taken out first: a key whose ref object changed (an edited resource) is then free.
    changes.sort((x, y) => x[1] - y[1]);
    /** Each touched key: whether it was in the result, and with which ref object. */
    const before = new Map<string, ResourceRef | undefined>();
    for (const [ref, delta] of changes) {
      const key = keyOf(ref);
      const entry = this.counts.get(key);
      if (!before.has(key)) before.set(key, entry !== undefined && entry.n > 0 ? entry.ref : undefined);
      if (entry === undefined) {
        if (delta < 0) return false;
        this.counts.set(key, { ref, n: delta });
        continue;
      }
      if (entry.ref !== ref) {
        if (entry.n !== 0 || delta < 0) return false;
        entry.ref = ref;
      }
      entry.n += delta;
      if (entry.n < 0) return false;
    }
    // Only keys that came, went or changed ref object change the sorted result.
    const came: string[] = [];
    const went = new Set<string>();
    const swapped = new Map<string, ResourceRef>();
    for (const [key, was] of before) {
      const entry = this.counts.get(key)!;
      const now = entry.n > 0 ? entry.ref : undefined;
      if (now === was) continue;
      if (was === undefined) came.push(key);
      else if (now === undefined) went.add(key);
      else swapped.set(key, now);
    }
    if (came.length + went.size + swapped.size === 0) return true;
    came.sort();
    const keys: string[] = [];
    const refs: ResourceRef[] = [];
    let c = 0;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      while (c < came.length && came[c]! < key) {
        keys.push(came[c]!);
        refs.push(this.counts.get(came[c]!)!.ref);
        c++;
      }
      if (went.has(key)) continue;
      keys.push(key);
      refs.push(swapped.get(key) ?? this.refs[i]!);
    }
    for (; c < came.length; c++) {
      keys.push(came[c]!);
      refs.push(this.counts.get(came[c]!)!.ref);
    }
    this.keys = keys;
    this.refs = refs;
    return true;
  }
}
