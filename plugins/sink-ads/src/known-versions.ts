import type { EncodedResource } from './xds-codec.js';

/**
 * What a delta client holds of one type: name → version. Most of the time a
 * client holds exactly a view it was sent and ACKed (shared by every stream
 * subscribed alike), so that view is kept by reference as the base and only
 * departures from it (reconnect versions, per-stream changes) cost memory.
 * A thousand streams holding the same 1,000 clusters keep one map, not a
 * thousand.
 */
export class KnownVersions {
  private base: ReadonlyMap<string, EncodedResource> | undefined;
  /** Departures from the base: a version, or undefined for a base name the client no longer holds. */
  private readonly overlay = new Map<string, string | undefined>();
  /** Bumped by every change: a shared response may rebase only if nothing moved since it was sent. */
  private changes = 0;

  get epoch(): number {
    return this.changes;
  }

  get(name: string): string | undefined {
    if (this.overlay.has(name)) return this.overlay.get(name);
    return this.base?.get(name)?.version;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, version: string): void {
    this.changes++;
    if (this.base?.get(name)?.version === version) this.overlay.delete(name);
    else this.overlay.set(name, version);
  }

  delete(name: string): void {
    this.changes++;
    if (this.base?.has(name)) this.overlay.set(name, undefined);
    else this.overlay.delete(name);
  }

  /** The names held, as a list (safe to change the set while walking it). */
  names(): string[] {
    const names: string[] = [];
    if (this.base) for (const name of this.base.keys()) if (!this.overlay.has(name)) names.push(name);
    for (const [name, version] of this.overlay) if (version !== undefined) names.push(name);
    return names;
  }

  /** Any name held at all (without listing them). */
  get empty(): boolean {
    if (this.base) for (const name of this.base.keys()) if (!this.overlay.has(name)) return false;
    for (const version of this.overlay.values()) if (version !== undefined) return false;
    return true;
  }

  get size(): number {
    let size = this.base?.size ?? 0;
    for (const [name, version] of this.overlay) {
      const inBase = this.base?.has(name) === true;
      if (version === undefined) {
        if (inBase) size--;
      } else if (!inBase) size++;
    }
    return size;
  }

  /** The client holds exactly `resources` (by reference), or nothing when `resources` is undefined. */
  isExactly(resources: ReadonlyMap<string, EncodedResource> | undefined): boolean {
    if (this.overlay.size !== 0) return false;
    return resources === undefined
      ? this.base === undefined || this.base.size === 0
      : this.base === resources;
  }

  /** The shared map the client holds exactly, if it holds one (undefined also for nothing held). */
  exactBase(): ReadonlyMap<string, EncodedResource> | undefined | false {
    if (this.overlay.size !== 0) return false;
    return this.base;
  }

  /** Holds the same names and versions as `resources` (by content). */
  equals(resources: ReadonlyMap<string, EncodedResource>): boolean {
    if (this.isExactly(resources)) return true;
    const names = this.names();
    if (names.length !== resources.size) return false;
    for (const name of names) if (resources.get(name)?.version !== this.get(name)) return false;
    return true;
  }

  /** The client now holds exactly `resources`. */
  rebase(resources: ReadonlyMap<string, EncodedResource>): void {
    this.changes++;
    this.base = resources;
    this.overlay.clear();
  }
}
