import type { ResourceRef, XdsResource } from '@attache/core';

/**
 * An XdsResource whose `version` (the hash of its JSON text) and `provenance` (the union of
 * its parts' refs) are computed the first time they are read, then kept: a one-shot
 * `attache compile` prints only `resource` and never pays for either (at 10,000 Mappings,
 * serialising and hashing every route list and merging every route's refs), while a sink
 * that reads them gets the same values as an eager resource. Both are own enumerable
 * properties (accessors, `lazyField` of @attache/core), so spreading, JSON.stringify and structured cloning (a worker's
 * postMessage) read them like data; assigning one replaces it. Once both are read, nothing of
 * the lowering is kept alive by it.
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
  // The accessors of lazyField (own, enumerable, configurable, in this order), written as one
  // literal: made by the thousand, where two defineProperty calls per resource cost more.
  let pendingVersion: (() => string) | undefined = version;
  let versionValue: string | undefined;
  let pendingProvenance: (() => ResourceRef[]) | undefined = provenance;
  let provenanceValue: ResourceRef[] | undefined;
  return {
    typeUrl: fields.typeUrl,
    name: fields.name,
    resource: fields.resource,
    get version(): string {
      if (pendingVersion) {
        versionValue = pendingVersion();
        pendingVersion = undefined;
      }
      return versionValue!;
    },
    set version(next: string) {
      versionValue = next;
      pendingVersion = undefined;
    },
    get provenance(): ResourceRef[] {
      if (pendingProvenance) {
        provenanceValue = pendingProvenance();
        pendingProvenance = undefined;
      }
      return provenanceValue!;
    },
    set provenance(next: ResourceRef[]) {
      provenanceValue = next;
      pendingProvenance = undefined;
    },
  };
}
