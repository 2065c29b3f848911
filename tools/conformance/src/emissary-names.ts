import { keyOfResource, type ResourceRef, resourceKey, type StoredResource } from '@attache/core';
import type { EnvoyModel } from '@attache/explain';
import type { ClusterNamer } from './cluster-identity.js';

/**
 * For Emissary goldens that name clusters without defining them (the
 * listener unit tests), clusters can only be compared by name. Emissary names
 * a Mapping's cluster `cluster_<service>_<namespace>` with every
 * non-alphanumeric character of the service replaced by '_'; our side's
 * cluster is named that way from the Mapping in its provenance.
 */
export const emissaryNameAsIs: ClusterNamer = (_model, name) => ({ emissaryCluster: name });

export function emissaryNameFromProvenance(resources: readonly StoredResource[]): ClusterNamer {
  const byKey = new Map(resources.map((r) => [keyOfResource(r.resource), r.resource]));
  return (model: EnvoyModel, name: string) => {
    const refs: ResourceRef[] = model.clusters.get(name)?.provenance ?? [];
    const names = new Set<string>();
    for (const ref of refs) {
      if (ref.kind !== 'Mapping') continue;
      const mapping = byKey.get(resourceKey(ref));
      const service = (mapping?.spec as { service?: unknown } | undefined)?.service;
      if (typeof service !== 'string') continue;
      names.add(`cluster_${service.replace(/[^A-Za-z0-9]/g, '_')}_${ref.namespace ?? 'default'}`);
    }
    return { emissaryCluster: names.size > 0 ? [...names].sort().join(' | ') : `(unnamed: ${name})` };
  };
}
