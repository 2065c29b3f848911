import {
  compareStrings,
  contentHash,
  emptyXdsResources,
  type ResourceRef,
  type Snapshot,
  type XdsResource,
  type XdsTypeUrl,
} from '@attache/core';

/** Name of a resource JSON: `name`, or `cluster_name`/`clusterName` for ClusterLoadAssignment. */
function nameOf(json: Record<string, unknown>): string {
  const name = json.name ?? json.cluster_name ?? json.clusterName;
  if (typeof name !== 'string')
    throw new Error(`xds-snapshot: resource without a name: ${JSON.stringify(json).slice(0, 200)}`);
  return name;
}

/** An XdsResource from proto3-JSON with '@type', hashed the way the compiler hashes. */
export function xdsResource(json: Record<string, unknown>, provenance: ResourceRef[] = []): XdsResource {
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string') throw new Error("xds-snapshot: resource JSON needs '@type'");
  return {
    typeUrl: typeUrl as XdsTypeUrl,
    name: nameOf(json),
    resource: json,
    version: contentHash(json),
    provenance,
  };
}

/** A Snapshot of hand-written (or compiled) resources, for tests and benchmarks of delivery. */
export function xdsSnapshot(options: {
  group?: string;
  serial?: number;
  resources: readonly (XdsResource | Record<string, unknown>)[];
}): Snapshot {
  const resources = emptyXdsResources();
  for (const item of options.resources) {
    const resource = 'typeUrl' in item && 'version' in item ? (item as XdsResource) : xdsResource(item);
    resources[resource.typeUrl].push(resource);
  }
  for (const list of Object.values(resources)) list.sort((a, b) => compareStrings(a.name, b.name));
  const versions = Object.values(resources).flatMap((list) =>
    list.map((r) => `${r.typeUrl} ${r.name} ${r.version}`),
  );
  return {
    group: options.group ?? 'default',
    serial: options.serial ?? 1,
    version: contentHash(versions),
    resources,
    diagnostics: [],
  };
}
