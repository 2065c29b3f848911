import type { ResourceKind, StoredResource } from './resource.js';

/** An input with its resource key, as compile() sorts them. */
export interface KeyedInput {
  stored: StoredResource;
  key: string;
  /** Its kind, once compile() has asked (kept with the key while the object is an input). */
  kind?: ResourceKind;
}

interface Entry extends KeyedInput {
  /** The last compile whose inputs held this object. */
  generation: number;
}

/**
 * The sorted inputs of an incremental compiler, kept between compiles: each
 * StoredResource's key is computed once (stores keep the objects of unchanged
 * resources), and when few inputs are new the last order is kept, without the
 * inputs that are gone, with the new ones placed by binary search. `compare`
 * is compile()'s own order, so the result is the one a full sort gives (it
 * breaks ties down to the resource's text: only identical inputs compare equal).
 */
export class KeptInputOrder {
  private entries = new WeakMap<StoredResource, Entry>();
  private sorted: Entry[] | undefined;
  private generation = 0;

  /** Whether this object passed the envelope check before (only those are sorted and kept). */
  known(stored: StoredResource): boolean {
    return this.entries.has(stored);
  }

  /** The entry of an object that passed the envelope check: its key (and kind, once asked). */
  entryOf(stored: StoredResource): KeyedInput | undefined {
    return this.entries.get(stored);
  }

  /** The entry of an object, made (its key computed) if it has none. */
  keyed(stored: StoredResource, keyOf: (stored: StoredResource) => string): KeyedInput {
    let entry = this.entries.get(stored);
    if (entry === undefined) {
      entry = { stored, key: keyOf(stored), generation: 0 };
      this.entries.set(stored, entry);
    }
    return entry;
  }

  /** Drops the kept order (the inputs were ordered elsewhere): the next sort sorts in full, with the kept keys. */
  forgetOrder(): void {
    this.sorted = undefined;
  }

  sort(
    valid: readonly StoredResource[],
    keyOf: (stored: StoredResource) => string,
    compare: (a: KeyedInput, b: KeyedInput) => number,
  ): KeyedInput[] {
    const generation = ++this.generation;
    const fresh: Entry[] = [];
    let repeated = false;
    for (const stored of valid) {
      let entry = this.entries.get(stored);
      if (entry === undefined) {
        entry = { stored, key: keyOf(stored), generation };
        this.entries.set(stored, entry);
        fresh.push(entry);
        continue;
      }
      if (entry.generation === generation) {
        repeated = true; // the same object twice: sort in full, one entry per occurrence
        continue;
      }
      if (entry.generation !== generation - 1) fresh.push(entry);
      entry.generation = generation;
    }
    let sorted: Entry[];
    if (repeated || this.sorted === undefined || fresh.length > valid.length / 8) {
      // One entry per occurrence when an object repeats (its entry is then not kept as the order's).
      sorted = repeated
        ? valid.map((stored) => ({ stored, key: this.entries.get(stored)!.key, generation }))
        : valid.map((stored) => this.entries.get(stored)!);
      sorted.sort(compare);
      this.sorted = repeated ? undefined : sorted;
      return sorted;
    }
    sorted = this.sorted.filter((e) => e.generation === generation);
    for (const entry of fresh) {
      let low = 0;
      let high = sorted.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (compare(sorted[mid]!, entry) <= 0) low = mid + 1;
        else high = mid;
      }
      sorted.splice(low, 0, entry);
    }
    this.sorted = sorted;
    return sorted;
  }
}
