import type { FieldExtension } from '@attache/core';
import { Type } from '@sinclair/typebox';

/** gRPC retry conditions (Envoy's x-envoy-retry-grpc-on values). */
export const grpcRetryConditions = [
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

export const GrpcTimeout = Type.Object(
  {
    header_max_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 315576000000,
        description:
          "Honour the client's grpc-timeout header, capped at this many milliseconds (0: no cap) — Envoy's max_stream_duration.grpc_timeout_header_max.",
      }),
    ),
    header_offset_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 315576000000,
        description:
          "Subtracted from the client's grpc-timeout (grpc_timeout_header_offset), for network latency.",
      }),
    ),
  },
  { description: 'How the grpc-timeout header bounds calls on this Mapping (feature-grpc).' },
);

export const GrpcMatch = Type.Object(
  {
    service: Type.String({
      minLength: 1,
      description: 'Fully qualified gRPC service (pkg.Service): the path /pkg.Service/…',
    }),
    method: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'One method of the service: the exact path /pkg.Service/Method.',
      }),
    ),
  },
  {
    description:
      "Match gRPC calls by service and method, as Gateway API's GRPCRoute does (feature-grpc); headers and regex_headers add header matches.",
  },
);

const GrpcStats = Type.Object({
  all_methods: Type.Optional(Type.Boolean()),
  services: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1 }),
        method_names: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  ),
  upstream_stats: Type.Optional(Type.Boolean()),
});

/** Fields of kinds the http plugin owns that this plugin implements. */
export const grpcFieldExtensions: FieldExtension[] = [
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/grpc',
    schema: Type.Boolean(),
    description: 'The upstream speaks gRPC: an HTTP/2 cluster (and gRPC health checks).',
  },
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/grpc_timeout',
    schema: GrpcTimeout,
    description: "Honour the client's grpc-timeout header (Attaché).",
  },
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/grpc_match',
    schema: GrpcMatch,
    description: 'Match by gRPC service and method (Attaché, like GRPCRoute).',
  },
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/retry_policy/grpc_retry_on',
    schema: Type.Array(Type.Union(grpcRetryConditions.map((c) => Type.Literal(c)))),
    description:
      'gRPC statuses that are retried (Attaché): cancelled, deadline-exceeded, internal, resource-exhausted, unavailable.',
  },
  {
    kind: 'getambassador.io/Module',
    path: '/spec/config/enable_grpc_web',
    schema: Type.Boolean(),
    description: 'gRPC-Web: browsers call gRPC services (the grpc_web HTTP filter).',
  },
  {
    kind: 'getambassador.io/Module',
    path: '/spec/config/enable_grpc_http11_bridge',
    schema: Type.Boolean(),
    description: 'HTTP/1.1 clients call gRPC services (the grpc_http1_bridge HTTP filter).',
  },
  {
    kind: 'getambassador.io/Module',
    path: '/spec/config/grpc_stats',
    schema: GrpcStats,
    description: 'Per-method gRPC statistics (the grpc_stats HTTP filter).',
  },
];
