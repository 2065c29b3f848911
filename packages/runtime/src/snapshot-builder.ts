import {
  type CompileResult,
  compareDiagnostics,
  type Diagnostic,
  type Snapshot,
  versionHash,
  type XdsResources,
  type XdsTypeUrl,
  xdsPushOrder,
} from '@attache/core';

/**
 * Hash over every resource's own version: equal resource sets have equal snapshot versions.
 * The entries are arrays of strings, whose JSON has no keys to sort: versionHash gives
 * contentHash's digest without its sorted copy of 10,000s of entries.
 */
export function snapshotVersion(resources: XdsResources): string {
  const entries: Array<[XdsTypeUrl, string, string]> = [];
  for (const typeUrl of xdsPushOrder) {
    for (const r of resources[typeUrl] ?? []) entries.push([typeUrl, r.name, r.version]);
  }
  return versionHash(entries);
}

/**
 * Builds the snapshot that follows `previous` for a group. The serial only
 * moves when the resources change, so a recompile that changes nothing (a
 * comment edited in a YAML file) is not a new version for Envoy.
 */
export function buildSnapshot(
  group: string,
  result: Pick<CompileResult, 'xds' | 'diagnostics'>,
  sourceDiagnostics: readonly Diagnostic[],
  previous?: Snapshot,
): Snapshot {
  const version = snapshotVersion(result.xds);
  const serial =
    previous === undefined ? 1 : previous.version === version ? previous.serial : previous.serial + 1;
  return {
    group,
    serial,
    version,
    resources: result.xds,
    diagnostics: [...sourceDiagnostics, ...result.diagnostics].sort(compareDiagnostics),
  };
}

/** Finds the generated resource of a type and name in a snapshot. */
export function findResource(snapshot: Snapshot, typeUrl: string, name: string) {
  return (snapshot.resources[typeUrl as XdsTypeUrl] ?? []).find((r) => r.name === name);
}
