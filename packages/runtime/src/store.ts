import {
  compareStrings,
  type Diagnostic,
  type DiagnosticInput,
  keyOfResource,
  type ResourceRef,
  resourceKey,
  type StoredResource,
  type StoreWriter,
} from '@attache/core';
import { sameJson } from './same-json.js';

interface Partition {
  resources: Map<string, StoredResource>;
  diagnostics: readonly DiagnosticInput[];
}

/** What the compile loop reads: every resource of every source, and the sources' own diagnostics. */
export interface StoreContents {
  resources: StoredResource[];
  diagnostics: Diagnostic[];
  /** Bumped by every write; equal counters mean equal contents. */
  changes: number;
}

/**
 * The input store: each source writes into its own partitions (a file, a
 * watch), so one source replacing a file never touches another's resources.
 * Writes only record and notify; compiling is the compile loop's business.
 */
export class ResourceStore {
  readonly #sources = new Map<
    string,
    { plugin: string; partitions: Map<string, Partition>; synced: boolean }
  >();
  readonly #listeners = new Set<(sourceId: string) => void>();
  #changes = 0;

  get changes(): number {
    return this.#changes;
  }

  /** Registers a source (its id is the key under `sources:`) and returns the writer handed to it. */
  writerFor(sourceId: string, plugin: string = sourceId): StoreWriter {
    if (this.#sources.has(sourceId)) throw new Error(`source '${sourceId}' already has a store writer`);
    const state = { plugin, partitions: new Map<string, Partition>(), synced: false };
    this.#sources.set(sourceId, state);
    const partition = (name: string): Partition => {
      let p = state.partitions.get(name);
      if (!p) {
        p = { resources: new Map(), diagnostics: [] };
        state.partitions.set(name, p);
      }
      return p;
    };
    return {
      replace: (name, resources, diagnostics = []) => {
        // A resource the same as the one it replaces (content and origin) stays the object it
        // was: a file re-read after a one-Mapping edit then changes one input, and the
        // incremental compiler reuses its work for the others.
        const before = state.partitions.get(name)?.resources;
        const next = new Map<string, StoredResource>();
        for (const r of resources) {
          const key = keyOfStored(r);
          const old = before?.get(key);
          next.set(key, old !== undefined && old !== r && sameStored(old, r) ? old : r);
        }
        state.partitions.set(name, { resources: next, diagnostics: [...diagnostics] });
        this.#changed(sourceId);
      },
      upsert: (name, resource) => {
        partition(name).resources.set(keyOfStored(resource), resource);
        this.#changed(sourceId);
      },
      delete: (name, ref) => {
        if (partition(name).resources.delete(resourceKey(ref))) this.#changed(sourceId);
      },
      synced: () => {
        if (state.synced) return;
        state.synced = true;
        this.#changed(sourceId);
      },
    };
  }

  /** True once every registered source has called synced(): nothing is published before. */
  get allSynced(): boolean {
    for (const s of this.#sources.values()) if (!s.synced) return false;
    return true;
  }

  /** Sources that have not called synced() yet, for the start-up log. */
  pendingSources(): string[] {
    return [...this.#sources.entries()].filter(([, s]) => !s.synced).map(([id]) => id);
  }

  /** Subscribes to writes (the listener learns which source wrote: watch-lag metrics); returns the unsubscribe function. */
  onChange(listener: (sourceId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  contents(): StoreContents {
    const resources: StoredResource[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const sourceId of [...this.#sources.keys()].sort(compareStrings)) {
      const source = this.#sources.get(sourceId)!;
      for (const name of [...source.partitions.keys()].sort(compareStrings)) {
        const p = source.partitions.get(name)!;
        resources.push(...p.resources.values());
        for (const d of p.diagnostics) {
          const diag: Diagnostic = {
            code: d.code,
            severity: d.severity ?? 'error',
            message: d.message,
            origin: { plugin: source.plugin },
          };
          if (d.resource) diag.resource = d.resource;
          if (d.path !== undefined) diag.path = d.path;
          diagnostics.push(diag);
        }
      }
    }
    return { resources, diagnostics, changes: this.#changes };
  }

  #changed(sourceId: string): void {
    this.#changes++;
    for (const listener of this.#listeners) listener(sourceId);
  }
}

function sameStored(a: StoredResource, b: StoredResource): boolean {
  return sameJson(a.origin, b.origin) && sameJson(a.resource, b.resource);
}

function keyOfStored(stored: StoredResource): string {
  // A malformed envelope still needs a slot so compile() can report it; key it by its origin.
  const r = stored.resource as Partial<StoredResource['resource']>;
  if (
    typeof r?.apiVersion === 'string' &&
    typeof r.kind === 'string' &&
    typeof r.metadata?.name === 'string'
  ) {
    return keyOfResource(stored.resource);
  }
  return `invalid:${stored.origin.file ?? stored.origin.source}:${stored.origin.line ?? 0}`;
}

export type { ResourceRef };
