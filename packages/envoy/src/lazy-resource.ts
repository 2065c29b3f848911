import type { ResourceRef, XdsResource } from '@attache/core';

/**
 * An XdsResource whose `version` (the hash of its JSON text) and `provenance` (the union of
 * its parts' refs) are computed the first time they are read, then kept: a one-shot
 * `attache compile` prints only `resource` and never pays for either (at 10,000 Mappings,
 * serialising and hashing every route list and merging every route's refs), while a sink
 * that reads them gets the same values as an eager resource. Both are own enumerable
 * properties (accessors), so spreading, JSON.stringify and structured cloning (a worker's
 * postMessage) read them like data; assigning one replaces it.
 *
 * Only for values computed from data that does not change afterwards: the lowered JSON and
 * its parts' refs of one compile (not an incremental compiler's kept state, which the next
 * compile rewrites).
 */
export function lazyXdsResource(
  fields: Pick<XdsResource, 'typeUrl' | 'name' | 'resource'>,
  version: () => string,
  provenance: () => ResourceRef[],
): XdsResource {
  let versionValue: string | undefined;
  let provenanceValue: ResourceRef[] | undefined;
  return {
    typeUrl: fields.typeUrl,
    name: fields.name,
    resource: fields.resource,
    get version(): string {
      versionValue ??= version();
      return versionValue;
    },
    set version(value: string) {
      versionValue = value;
    },
    get provenance(): ResourceRef[] {
      provenanceValue ??= provenance();
      return provenanceValue;
    },
    set provenance(value: ResourceRef[]) {
      provenanceValue = value;
    },
  };
}
