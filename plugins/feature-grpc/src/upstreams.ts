import {
  contributeUpstreams,
  KeptMatches,
  type PassContext,
  refOf,
  type StoredResource,
  servesAmbassadorId,
  type UpstreamContribution,
} from '@attache/core';

type Json = Record<string, unknown>;

/** The contribution of a grpc Mapping without gRPC health checks: one shared object (10,000 Mappings, one key). */
const http2Only: UpstreamContribution = Object.freeze({ http2: true });

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether a Mapping has either field contributeGrpcUpstreams reads first (an array spec has
 * neither): read directly, which costs less than a walk over a spec's keys in a compile that
 * runs mostly in V8's interpreter.
 */
function grpcOrChecks(stored: StoredResource): boolean {
  const spec = stored.resource.spec as Json | null | undefined;
  return (
    typeof spec === 'object' && spec !== null && (spec.grpc === true || Array.isArray(spec.health_checks))
  );
}

/** Under an incremental compiler, the Mappings with either field, kept (see KeptMatches). */
const keptGrpcSpecs = {};

/**
 * The gRPC part of each Mapping's upstream cluster, contributed in ingest for
 * the HTTP model to merge when it resolves the service: `grpc: true` → HTTP/2
 * (`typed_extension_protocol_options`), and each gRPC entry of `health_checks`
 * → a `grpc_health_check` (service_name, authority), as Emissary builds them.
 * A malformed entry is the HTTP model's to report (its schema rejects the Mapping).
 */
export function contributeGrpcUpstreams(ctx: PassContext, full = false): void {
  const ambassadorId = ctx.options.ambassadorId ?? 'default';
  const entries: Record<string, UpstreamContribution> = {};
  const mappings = ctx.resources('getambassador.io/Mapping');
  // Only the Mappings with grpc: true or health checks: the others contribute nothing (`full`: every Mapping).
  const positions = full ? undefined : KeptMatches.of(ctx.memo, keptGrpcSpecs, grpcOrChecks).in(mappings);
  const count = positions ? positions.length : mappings.length;
  for (let k = 0; k < count; k++) {
    const stored = mappings[positions ? positions[k]! : k]!;
    const spec = stored.resource.spec as Json | null | undefined;
    if (typeof spec !== 'object' || spec === null) continue;
    const grpc = spec.grpc === true;
    const checks = spec.health_checks;
    if (!servesAmbassadorId(spec.ambassador_id, ambassadorId)) continue;
    const { metadata } = stored.resource;
    // resourceKey(refOf(resource)), which is how the HTTP model looks it up, without building the ref.
    const key = `getambassador.io/Mapping/${metadata.namespace ?? ''}/${metadata.name}`;
    let checkers: Record<number, Json> | undefined;
    if (Array.isArray(checks)) {
      checks.forEach((hc, i) => {
        const g = isRecord(hc) && isRecord(hc.health_check) ? hc.health_check.grpc : undefined;
        if (!isRecord(g) || typeof g.upstream_name !== 'string' || g.upstream_name === '') return;
        if (!grpc) {
          ctx.report({
            code: 'GRPC_HEALTH_CHECK_NEEDS_GRPC',
            resource: refOf(stored.resource, stored.origin),
            path: `/spec/health_checks/${i}/health_check/grpc`,
            message: `spec.health_checks[${i}] is a gRPC health check, which Envoy sends over HTTP/2 and refuses on an HTTP/1.1 cluster ("cluster must support HTTP/2 for gRPC healthchecking"), so it is left out; set spec.grpc: true (the upstream speaks gRPC) or use an http health check`,
          });
          return;
        }
        const checker: Json = { service_name: g.upstream_name };
        if (typeof g.authority === 'string' && g.authority !== '') checker.authority = g.authority;
        checkers ??= {};
        checkers[i] = { grpc_health_check: checker };
      });
    }
    if (!checkers) {
      if (grpc) entries[key] = http2Only;
      continue;
    }
    entries[key] = grpc ? { http2: true, healthCheckers: checkers } : { healthCheckers: checkers };
  }
  if (Object.keys(entries).length > 0) contributeUpstreams(ctx.ir.ext, entries);
}
