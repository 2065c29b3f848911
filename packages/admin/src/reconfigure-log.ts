import { formatRef, type ResourceRef, resourceKey, type Snapshot, TypeUrl } from '@attache/core';
import type { CycleRecord } from './cycle-record.js';

/** One Envoy resource that changed in a reconfigure, with the inputs behind it. */
export interface ChangedResource {
  type: string;
  name: string;
  change: 'added' | 'changed' | 'removed';
  inputs: ResourceRef[];
}

/** A published snapshot and what changed since the group's previous one. */
export interface Reconfigure {
  /** When the cycle finished (ISO time). */
  at: string;
  group: string;
  serial: number;
  version: string;
  compileMs: number;
  errors: number;
  warnings: number;
  changes: ChangedResource[];
  /** Input resources behind the changes, formatted ('Mapping default/quote'), sorted. */
  inputs: string[];
}

const typeNames = Object.fromEntries(Object.entries(TypeUrl).map(([name, url]) => [url, name]));

/** The last `limit` reconfigures, newest first, for the UI. */
export class ReconfigureLog {
  readonly #entries: Reconfigure[] = [];
  readonly #previous = new Map<string, Snapshot>();

  constructor(readonly limit = 50) {}

  record(cycle: CycleRecord, finishedAt: number): Reconfigure[] {
    const added: Reconfigure[] = [];
    for (const snapshot of cycle.published) {
      const changes = diffSnapshots(this.#previous.get(snapshot.group), snapshot);
      this.#previous.set(snapshot.group, snapshot);
      const inputs = new Map<string, string>();
      for (const c of changes) for (const ref of c.inputs) inputs.set(resourceKey(ref), formatRef(ref));
      const entry: Reconfigure = {
        at: new Date(finishedAt).toISOString(),
        group: snapshot.group,
        serial: snapshot.serial,
        version: snapshot.version,
        compileMs: cycle.compileMs,
        errors: snapshot.diagnostics.filter((d) => d.severity === 'error').length,
        warnings: snapshot.diagnostics.filter((d) => d.severity === 'warning').length,
        changes,
        inputs: [...inputs.values()].sort(),
      };
      this.#entries.unshift(entry);
      added.push(entry);
    }
    this.#entries.length = Math.min(this.#entries.length, this.limit);
    return added;
  }

  entries(): readonly Reconfigure[] {
    return this.#entries;
  }
}

/** Envoy resources added, changed (new version) and removed between two snapshots of a group, by type then name. */
export function diffSnapshots(before: Snapshot | undefined, after: Snapshot): ChangedResource[] {
  const out: ChangedResource[] = [];
  for (const typeUrl of Object.values(TypeUrl)) {
    const type = typeNames[typeUrl]!;
    const old = new Map((before?.resources[typeUrl] ?? []).map((r) => [r.name, r]));
    for (const r of after.resources[typeUrl] ?? []) {
      const previous = old.get(r.name);
      old.delete(r.name);
      if (previous?.version === r.version) continue;
      out.push({ type, name: r.name, change: previous ? 'changed' : 'added', inputs: r.provenance });
    }
    for (const r of old.values()) out.push({ type, name: r.name, change: 'removed', inputs: r.provenance });
  }
  return out;
}
