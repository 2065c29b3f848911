import { mappingFieldsOf } from '../ingest/mapping-fields.js';
import type { HttpMapping } from '../model.js';
import type { MappingSpec } from '../schemas/mapping.js';

/**
 * An ingested Mapping in namespace `default` for unit tests of the build: its service is its
 * name and its prefix `/` unless `spec` says otherwise; a `hostname` becomes its authority.
 */
export function httpMapping(name: string, spec: Partial<MappingSpec>): HttpMapping {
  const full = { service: name, prefix: '/', ...spec } as MappingSpec;
  return {
    ref: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name },
    id: `default/${name}`,
    name,
    namespace: 'default',
    labels: {},
    spec: full,
    fields: mappingFieldsOf(full),
    bypassAuth: false,
    authContextExtensions: {},
    rateLimitLabels: undefined,
    routeNames: [],
    ...(spec.hostname ? { authority: { glob: spec.hostname } } : {}),
  };
}
