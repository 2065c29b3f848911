/**
 * Values by string key kept from one compile to the next (under an incremental
 * compiler): `rotate()` begins a compile, and what the compile before did not
 * use is dropped then, so it holds about what one compile made. One map, each
 * entry stamped with the compile that last used it: reading an entry kept from
 * the last compile costs a lookup, not a copy into a new map.
 */
export class KeptByString<T> {
  private entries = new Map<string, { value: T; generation: number }>();
  private generation = 0;

  rotate(): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      if (entry.generation < this.generation - 1) this.entries.delete(key);
    }
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.generation = this.generation;
    return entry.value;
  }

  set(key: string, value: T): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.generation = this.generation;
    } else this.entries.set(key, { value, generation: this.generation });
  }
}
