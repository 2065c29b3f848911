import { defineExtPoint } from './ext-point.js';

/**
 * What a feature plugin adds to the upstream cluster of one route source (a
 * Mapping): Mapping `grpc: true` makes the cluster speak HTTP/2, a gRPC entry
 * of `health_checks` becomes a gRPC health checker. The route producer
 * (`http`) resolves the service as usual and merges the contribution into the
 * cluster settings, so it is part of the cluster's identity and name: two
 * Mappings to one service, one of them gRPC, get two clusters.
 */
export interface UpstreamContribution {
  /** Speak HTTP/2 to the upstream (gRPC). */
  http2?: boolean;
  /**
   * Health checkers for entries of the source's `health_checks` the feature
   * implements, by index: the checker part of Envoy's HealthCheck as
   * proto3-JSON (`{ grpc_health_check: {...} }`). The producer adds timeout,
   * interval and thresholds; an entry it cannot build and nobody contributes is left out.
   */
  healthCheckers?: Readonly<Record<number, Readonly<Record<string, unknown>>>>;
}

/**
 * Contributions by `resourceKey()` of the route source, written in `ingest` by
 * features (replace the record, never edit it), read by the route producer in
 * `resolve`.
 */
export const UpstreamContributionsExt = defineExtPoint<Readonly<Record<string, UpstreamContribution>>>(
  'edge.upstreamContributions',
  'what feature plugins add to the upstream cluster of a route source (gRPC: HTTP/2, gRPC health checks), by resource key; written in ingest, read by the route producer in resolve',
);

/** Adds contributions without editing the record another pass published; a later one for the same key is merged in. */
export function contributeUpstreams(
  ext: Record<string, unknown>,
  entries: Readonly<Record<string, UpstreamContribution>>,
): void {
  const current = ext[UpstreamContributionsExt.key] as
    | Readonly<Record<string, UpstreamContribution>>
    | undefined;
  if (!current) {
    // The first contributor's record is published as it is (it must not edit it afterwards).
    ext[UpstreamContributionsExt.key] = entries;
    return;
  }
  const next: Record<string, UpstreamContribution> = { ...current };
  for (const [key, entry] of Object.entries(entries)) {
    const before = next[key];
    next[key] = before
      ? {
          ...before,
          ...entry,
          ...(before.healthCheckers || entry.healthCheckers
            ? { healthCheckers: { ...before.healthCheckers, ...entry.healthCheckers } }
            : {}),
        }
      : entry;
  }
  ext[UpstreamContributionsExt.key] = next;
}
