import { type ResourceRef, type Snapshot, TypeUrl, type XdsTypeUrl } from '@attache/core';
import { redactSecrets } from './redact.js';

export interface ResourceSummary {
  name: string;
  version: string;
  provenance: ResourceRef[];
  /** Envoy proto3-JSON with key material redacted; only with `full`. */
  resource?: unknown;
}

export interface ResourceTypeSummary {
  /** Short name, e.g. 'Listener'. */
  type: string;
  typeUrl: XdsTypeUrl;
  count: number;
  resources: ResourceSummary[];
}

export interface SnapshotSummary {
  group: string;
  serial: number;
  version: string;
  diagnostics: { error: number; warning: number; info: number };
  types: ResourceTypeSummary[];
}

/** Types in the order of the TypeUrl table (Listener first), resources as the snapshot sorted them (by name). */
export function summarizeSnapshot(snapshot: Snapshot, options: { full?: boolean } = {}): SnapshotSummary {
  const diagnostics = { error: 0, warning: 0, info: 0 };
  for (const d of snapshot.diagnostics) diagnostics[d.severity]++;
  return {
    group: snapshot.group,
    serial: snapshot.serial,
    version: snapshot.version,
    diagnostics,
    types: (Object.entries(TypeUrl) as Array<[string, XdsTypeUrl]>).map(([type, typeUrl]) => {
      const list = snapshot.resources[typeUrl] ?? [];
      return {
        type,
        typeUrl,
        count: list.length,
        resources: list.map((r) => ({
          name: r.name,
          version: r.version,
          provenance: r.provenance,
          ...(options.full ? { resource: redactSecrets(r.resource) } : {}),
        })),
      };
    }),
  };
}
