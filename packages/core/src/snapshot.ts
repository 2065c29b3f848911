import type { Diagnostic } from './diagnostics.js';
import type { XdsResources } from './xds.js';

/**
 * What sinks receive: one compiled configuration for one node group. Sinks
 * never see the IR; they deliver these resources and report feedback.
 */
export interface Snapshot {
  /** Node group this snapshot is for ('default' unless ambassador_id says otherwise). */
  group: string;
  /** Monotonic per group; also the SotW version_info prefix. */
  serial: number;
  /** Content hash over every resource's version; equal snapshots have equal versions. */
  version: string;
  resources: XdsResources;
  diagnostics: readonly Diagnostic[];
}
