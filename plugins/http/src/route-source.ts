import type { HttpRouteSource } from '@attache/core';
import type { HttpMapping } from './model.js';

/**
 * A Mapping's route source as the HTTP model publishes it: its ref, namespace, spec, labels and
 * route names, in this key order. An incremental compiler publishes this object
 * (build/http-model.ts); a plain compile publishes the Mapping itself, whose `toJSON` is this
 * (ingest/mappings.ts), so that a model is written alike either way.
 */
export function freshRouteSource(m: HttpMapping): HttpRouteSource {
  return {
    ref: m.ref,
    namespace: m.namespace,
    spec: m.spec as Readonly<Record<string, unknown>>,
    labels: m.labels,
    routeNames: m.routeNames,
  };
}
