import { AmbassadorIdField } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';

const Uint32 = (description: string) => Type.Integer({ minimum: 0, maximum: 4294967295, description });

/** One circuit-breaker threshold set, as on a Mapping. */
export const TcpCircuitBreaker = Type.Object(
  {
    priority: Type.Optional(
      Type.Union([Type.Literal('default'), Type.Literal('high')], {
        description: 'Envoy routing priority these thresholds apply to (default: default).',
      }),
    ),
    max_connections: Type.Optional(Uint32('Most connections to the service at once (Envoy default 1024).')),
    max_pending_requests: Type.Optional(
      Uint32('Most connections waiting for the pool (Envoy default 1024).'),
    ),
    max_requests: Type.Optional(Uint32('Most requests at once (Envoy default 1024).')),
    max_retries: Type.Optional(Uint32('Most retries at once (Envoy default 3).')),
  },
  { additionalProperties: false },
);

/**
 * getambassador.io/v3alpha1 TCPMapping `spec` (a getambassador.io/v2 one is
 * converted first: `v3StatsName` → `stats_name`). Where v2 and v3alpha1 differ
 * in type (`tls` bool-or-string, `idle_timeout_ms` string-or-number), both are accepted.
 */
export const TcpMappingSpec = Type.Object(
  {
    ambassador_id: AmbassadorIdField,
    port: Type.Integer({
      minimum: 1,
      maximum: 65535,
      description:
        'The port to listen on. A Listener on that port is used when there is one (HTTP ones only with host); otherwise a TCP listener is made.',
    }),
    host: Type.Optional(
      Type.String({
        description:
          'An SNI name (or "*.domain"): only TLS connections asking for it. TLS is terminated when a Host or TLSContext serves that name, else passed through to the service.',
      }),
    ),
    address: Type.Optional(
      Type.String({ description: 'The IP address to listen on (default 0.0.0.0: every address).' }),
    ),
    service: Type.String({
      minLength: 1,
      description:
        'The upstream: [scheme://]host[:port], resolved like a Mapping service; https:// originates TLS to it.',
    }),
    tls: Type.Optional(
      Type.Union([Type.String(), Type.Boolean()], {
        description:
          'TLS origination to the service: a TLSContext name (client certificate, SNI, versions), or true for plain TLS.',
      }),
    ),
    weight: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description:
          'Percentage of connections when several TCPMappings share one address, port and host (default: an equal share of what is left).',
      }),
    ),
    circuit_breakers: Type.Optional(
      Type.Array(TcpCircuitBreaker, { description: "Limits on the service's cluster." }),
    ),
    idle_timeout_ms: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })], {
        description:
          "Close a connection after this many milliseconds without traffic either way (tcp_proxy idle_timeout; Envoy's default is 1 hour, 0 disables).",
      }),
    ),
    resolver: Type.Optional(
      Type.String({
        description: 'A KubernetesServiceResolver or KubernetesEndpointResolver by name (default: DNS).',
      }),
    ),
    enable_ipv4: Type.Optional(
      Type.Boolean({ description: 'Resolve the service to IPv4 addresses (default true).' }),
    ),
    enable_ipv6: Type.Optional(
      Type.Boolean({ description: 'Resolve the service to IPv6 addresses (default false).' }),
    ),
    cluster_tag: Type.Optional(
      Type.String({
        description: "A tag in the cluster's name, so that otherwise equal services get their own cluster.",
      }),
    ),
    stats_name: Type.Optional(Type.String({ description: "The cluster's alt_stat_name." })),
    v2ExplicitTLS: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Emissary v2 round-trip data; ignored.' }),
    ),
  },
  { description: 'Emissary TCPMapping: a TCP port (and SNI name) proxied to a service.' },
);
export type TcpMappingSpec = Static<typeof TcpMappingSpec>;

export const tcpMappingFieldNames = Object.keys(TcpMappingSpec.properties);
