import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the gRPC plugin reports. Tests assert these codes, never message text. */
export const grpcDiagnosticCodes = {
  GRPC_FIELD_INVALID: {
    severity: 'error',
    summary:
      'A gRPC field of a Mapping or the Module has the wrong type or value (grpc, grpc_timeout, grpc_match, retry_policy.grpc_retry_on, a gRPC health check); that field is ignored, the rest of the resource applies.',
  },
  GRPC_HEALTH_CHECK_NEEDS_GRPC: {
    severity: 'error',
    summary:
      'A gRPC health check on a Mapping without grpc: true: Envoy sends gRPC health checks over HTTP/2 and refuses them on an HTTP/1.1 cluster, so the check is left out.',
  },
  GRPC_STATS_SERVICE_INVALID: {
    severity: 'warning',
    summary:
      'A grpc_stats service without method_names: Emissary copies it and Envoy refuses every listener; Attaché leaves that service out of the allowlist.',
  },
  GRPC_MATCH_OUTSIDE_PREFIX: {
    severity: 'warning',
    summary:
      "grpc_match compiles to a path outside the Mapping's prefix; Mappings are still ordered by prefix, so the route may sit behind a broader one. Make prefix the service path (/pkg.Service/).",
  },
  GRPC_TIMEOUT_CAPPED_BY_ROUTE: {
    severity: 'info',
    summary:
      "grpc_timeout honours the client's grpc-timeout, but the route's timeout_ms (Emissary default 3000 ms) still ends every call and stream sooner; set timeout_ms: 0 to let client deadlines rule.",
  },
  GRPC_PROXYLESS_TARGET_UNKNOWN: {
    severity: 'warning',
    summary:
      'A proxyless target in attache.yaml names a Host that does not exist (or serves no Mapping); gRPC clients asking for it get no listener.',
  },
  GRPC_PROXYLESS_CLUSTER_UNSUPPORTED: {
    severity: 'warning',
    summary:
      "A proxyless target's route goes to a cluster gRPC's xDS client cannot use (TLS origination, several DNS names, a load balancer gRPC lacks); that route is left out of the target.",
  },
} as const satisfies DiagnosticCodeTable;

export type GrpcDiagnosticCode = keyof typeof grpcDiagnosticCodes;
