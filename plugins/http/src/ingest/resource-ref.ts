import { type Resource, type ResourceRef, refOf, type SourceLocation } from '@attache/core';

/**
 * `refOf(resource, origin)`, made as one literal where the resource has a namespace and its
 * origin a file (every Mapping read from a file): refOf starts from a literal of three keys and
 * adds `namespace` and `source` to it, which gives each ref a property array of its own (~40
 * bytes more; 10,000 Mappings keep their refs until the output is printed, and the young
 * collector copies each byte twice). The same keys in the same order, with the same values.
 */
export function resourceRef(resource: Resource, origin: SourceLocation | undefined): ResourceRef {
  const namespace = resource.metadata.namespace;
  const file = origin?.file;
  if (namespace === undefined || file === undefined) return refOf(resource, origin);
  const line = origin!.line;
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    name: resource.metadata.name,
    namespace,
    source: line ? `${file}:${line}` : file,
  };
}
