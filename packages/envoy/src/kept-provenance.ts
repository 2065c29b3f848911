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

/** The first index of sorted `keys` whose key is not below `key` (code-unit order, as Array.sort). */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keys[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** What a resource's provenance is made of: whole route lists (by identity) and loose refs, with counts. */
type Bag = Map<readonly unknown[] | ResourceRef, number>;

function bagOf(own: readonly ResourceRef[], parts: readonly ResourcePart[]): Bag {
  const bag: Bag = new Map();
  for (const ref of own) bag.set(ref, (bag.get(ref) ?? 0) + 1);
  addToBag(bag, parts, 1);
  return bag;
}

/** Adds `n` uses of what `parts` are made of (whole route lists, loose refs) to `bag`. */
function addToBag(bag: Bag, parts: readonly ResourcePart[], n: number): void {
  const add = (item: readonly unknown[] | ResourceRef) => bag.set(item, (bag.get(item) ?? 0) + n);
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
}

/** How a parts list differs from an earlier one: some runs of parts taken out, others put in. */
interface PartsDelta {
  from: readonly ResourcePart[];
  removed: readonly (readonly ResourcePart[])[];
  added: readonly (readonly ResourcePart[])[];
}

const partsDeltas = new WeakMap<readonly ResourcePart[], PartsDelta>();

/**
 * Notes that `parts` is `from` with the runs `removed` taken out and `added` put in (a route
 * configuration lowered again with some virtual hosts changed): a KeptProvenance whose last
 * union was of `from` (and the same own refs) patches it from those runs alone. Each run must
 * hold whole virtual hosts (a run cut inside a route list counts that list's routes loose,
 * which the parts around it would not).
 */
export function notePartsDelta(
  parts: readonly ResourcePart[],
  from: readonly ResourcePart[],
  removed: readonly (readonly ResourcePart[])[],
  added: readonly (readonly ResourcePart[])[],
): void {
  partsDeltas.set(parts, { from, removed, added });
  // `from` is kept alive by this entry: its own delta goes, so no chain of older parts grows.
  partsDeltas.delete(from);
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
  /** The own refs and parts the kept result is the union of. */
  private own: readonly ResourceRef[] | undefined;
  private parts: readonly ResourcePart[] | undefined;
  /** Compiles whose provenance was patched rather than computed in full (for tests and benches). */
  patches = 0;
  /** Of those, the compiles patched from a parts delta (notePartsDelta) without a look at the other parts. */
  deltaPatches = 0;

  union(own: readonly ResourceRef[], parts: readonly ResourcePart[]): ResourceRef[] {
    const delta = partsDeltas.get(parts);
    if (this.valid && delta !== undefined && delta.from === this.parts && own === this.own) {
      const items = new Map<readonly unknown[] | ResourceRef, number>();
      for (const removed of delta.removed) addToBag(items, removed, -1);
      for (const added of delta.added) addToBag(items, added, 1);
      const changes: Array<[readonly unknown[] | ResourceRef, number]> = [];
      for (const [item, n] of items) if (n !== 0) changes.push([item, n]);
      if (this.patchItems(changes)) {
        for (const [item, n] of changes) {
          const now = (this.bag.get(item) ?? 0) + n;
          if (now === 0) this.bag.delete(item);
          else this.bag.set(item, now);
        }
        this.parts = parts;
        this.patches++;
        this.deltaPatches++;
        return this.refs.slice();
      }
      // (A failed patch leaves the counts half moved: computed in full below.)
      this.valid = false;
    }
    const bag = bagOf(own, parts);
    this.own = own;
    this.parts = parts;
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
    const changes: Array<[readonly unknown[] | ResourceRef, number]> = [];
    for (const [item, n] of bag) {
      const before = this.bag.get(item) ?? 0;
      if (n !== before) changes.push([item, n - before]);
    }
    for (const [item, n] of this.bag) if (!bag.has(item)) changes.push([item, -n]);
    return this.patchItems(changes);
  }

  /** The last result moved by these uses of items (negative: taken out); false when it cannot be. */
  private patchItems(items: Iterable<[readonly unknown[] | ResourceRef, number]>): boolean {
    // Net uses per ref object: a route list replaced by one sharing most of its routes (an edit
    // of one Mapping) cancels out ref by ref, so only the refs that came or went are keyed.
    const deltas = new Map<ResourceRef, number>();
    for (const [item, n] of items) {
      for (const ref of refsOf(item)) deltas.set(ref, (deltas.get(ref) ?? 0) + n);
    }
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
    // A few keys (an edit): found by binary search, the arrays copied once and spliced.
    if (came.length + went.size + swapped.size <= 16) {
      const keys = this.keys.slice();
      const refs = this.refs.slice();
      for (const [key, ref] of swapped) refs[lowerBound(keys, key)] = ref;
      for (const key of went) {
        const i = lowerBound(keys, key);
        keys.splice(i, 1);
        refs.splice(i, 1);
      }
      for (const key of came) {
        const i = lowerBound(keys, key);
        keys.splice(i, 0, key);
        refs.splice(i, 0, this.counts.get(key)!.ref);
      }
      this.keys = keys;
      this.refs = refs;
      return true;
    }
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
