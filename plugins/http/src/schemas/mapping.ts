import { type Static, Type } from '@sinclair/typebox';
import {
  AmbassadorId,
  CircuitBreaker,
  Cors,
  Duration,
  ErrorResponseOverrides,
  envoyMaxMillis,
  FreeForm,
  HeaderAdditions,
  Keepalive,
  LoadBalancer,
  Millis,
  RetryPolicy,
  StringEnum,
  StringMap,
} from './common.js';

const RegexRewrite = Type.Object({
  pattern: Type.String({ minLength: 1, description: 'RE2 pattern matched against the whole path.' }),
  substitution: Type.String({ description: 'Replacement; \\1 style groups.' }),
});

const HealthCheck = Type.Object({
  timeout: Type.Optional(Duration('Duration, default "3s".')),
  interval: Type.Optional(Duration('Duration, default "5s".')),
  healthy_threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 4294967295 })),
  unhealthy_threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 4294967295 })),
  health_check: Type.Object({
    http: Type.Optional(
      Type.Object({
        path: Type.String({ minLength: 1 }),
        hostname: Type.Optional(Type.String()),
        remove_request_headers: Type.Optional(Type.Array(Type.String())),
        add_request_headers: Type.Optional(HeaderAdditions('Headers added to the health check request.')),
        expected_statuses: Type.Optional(
          Type.Array(
            Type.Object({
              min: Type.Integer({ minimum: 100, maximum: 599 }),
              max: Type.Integer({ minimum: 100, maximum: 599 }),
            }),
          ),
        ),
      }),
    ),
    grpc: Type.Optional(
      Type.Object({ upstream_name: Type.String({ minLength: 1 }), authority: Type.Optional(Type.String()) }),
    ),
  }),
});

/** getambassador.io/v3alpha1 Mapping spec: one HTTP route to one upstream service. */
export const MappingSpec = Type.Object(
  {
    ambassador_id: Type.Optional(AmbassadorId),
    // ---- match
    prefix: Type.String({ minLength: 1, description: 'URL path prefix (or regex, or exact path) to match.' }),
    prefix_regex: Type.Optional(
      Type.Boolean({ description: 'Treat prefix as an RE2 regex on the whole path.' }),
    ),
    prefix_exact: Type.Optional(Type.Boolean({ description: 'Match the path exactly.' })),
    case_sensitive: Type.Optional(
      Type.Boolean({ description: 'Path match case sensitivity (default true).' }),
    ),
    method: Type.Optional(Type.String({ description: 'HTTP method to match.' })),
    method_regex: Type.Optional(Type.Boolean()),
    headers: Type.Optional(StringMap('Request headers that must have exactly these values.')),
    regex_headers: Type.Optional(StringMap('Request headers that must match these RE2 regexes.')),
    query_parameters: Type.Optional(StringMap('Query parameters that must have exactly these values.')),
    regex_query_parameters: Type.Optional(StringMap('Query parameters that must match these RE2 regexes.')),
    hostname: Type.Optional(
      Type.String({ description: 'Hostname glob (*.example.com, foo.*, *) to match.' }),
    ),
    host: Type.Optional(
      Type.String({ description: 'Deprecated: exact :authority (or regex with host_regex).' }),
    ),
    host_regex: Type.Optional(Type.Boolean()),
    precedence: Type.Optional(Type.Integer({ description: 'Higher is tried first (default 0).' })),
    // ---- upstream
    service: Type.String({
      minLength: 1,
      description: '[scheme://]name[.namespace][:port] of the upstream.',
    }),
    resolver: Type.Optional(
      Type.String({ description: 'Name of a resolver (default: the Kubernetes Service resolver).' }),
    ),
    tls: Type.Optional(Type.String({ description: 'TLSContext used to originate TLS to the upstream.' })),
    dns_type: Type.Optional(Type.String({ description: 'strict_dns (default) or logical_dns.' })),
    respect_dns_ttl: Type.Optional(Type.Boolean()),
    enable_ipv4: Type.Optional(Type.Boolean()),
    enable_ipv6: Type.Optional(Type.Boolean()),
    connect_timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: envoyMaxMillis,
        description: 'Upstream connect timeout (default 3000; Envoy needs more than 0).',
      }),
    ),
    cluster_idle_timeout_ms: Type.Optional(Millis('Idle timeout of upstream connections.')),
    cluster_max_connection_lifetime_ms: Type.Optional(Millis('Maximum lifetime of upstream connections.')),
    circuit_breakers: Type.Optional(Type.Array(CircuitBreaker)),
    load_balancer: Type.Optional(LoadBalancer),
    keepalive: Type.Optional(Keepalive),
    health_checks: Type.Optional(Type.Array(HealthCheck)),
    outlier_detection: Type.Optional(FreeForm('Envoy OutlierDetection (proto3 JSON field names).')),
    grpc: Type.Optional(Type.Boolean({ description: 'Speak HTTP/2 (gRPC) to the upstream.' })),
    cluster_tag: Type.Optional(
      Type.String({ description: 'Distinguishes otherwise identical upstream clusters.' }),
    ),
    stats_name: Type.Optional(Type.String({ description: 'Stats name of the upstream cluster.' })),
    // ---- action
    rewrite: Type.Optional(
      Type.String({ description: 'Replaces the matched prefix (default "/"; "" keeps the path).' }),
    ),
    regex_rewrite: Type.Optional(RegexRewrite),
    host_rewrite: Type.Optional(Type.String()),
    auto_host_rewrite: Type.Optional(Type.Boolean()),
    host_redirect: Type.Optional(Type.Boolean({ description: 'Redirect to service instead of proxying.' })),
    path_redirect: Type.Optional(Type.String()),
    prefix_redirect: Type.Optional(Type.String()),
    regex_redirect: Type.Optional(RegexRewrite),
    redirect_response_code: Type.Optional(Type.Integer({ enum: [301, 302, 303, 307, 308] })),
    timeout_ms: Type.Optional(Millis('Route timeout (default 3000; 0 disables).')),
    priority: Type.Optional(
      StringEnum(['default', 'high'], { description: 'Upstream connection-pool priority.' }),
    ),
    idle_timeout_ms: Type.Optional(Millis('Stream idle timeout on this route.')),
    retry_policy: Type.Optional(RetryPolicy),
    cors: Type.Optional(Cors),
    add_request_headers: Type.Optional(HeaderAdditions('Headers added to the upstream request.')),
    remove_request_headers: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    add_response_headers: Type.Optional(HeaderAdditions('Headers added to the response.')),
    remove_response_headers: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    add_linkerd_headers: Type.Optional(Type.Boolean()),
    shadow: Type.Optional(Type.Boolean({ description: 'Mirror matching traffic to this service.' })),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Canary percentage.' })),
    allow_upgrade: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    use_websocket: Type.Optional(Type.Boolean({ description: 'Deprecated: allow_upgrade [websocket].' })),
    docs: Type.Optional(
      Type.Object({
        path: Type.Optional(Type.String()),
        url: Type.Optional(Type.String()),
        ignored: Type.Optional(Type.Boolean()),
        display_name: Type.Optional(Type.String()),
        timeout_ms: Type.Optional(Millis('Docs fetch timeout.')),
      }),
    ),
    // ---- kept in the model for the auth and rate-limit plugins
    bypass_auth: Type.Optional(Type.Boolean()),
    auth_context_extensions: Type.Optional(StringMap('Context extensions sent to the auth service.')),
    labels: Type.Optional(FreeForm('Rate-limit label groups (free form, read by the rate-limit plugin).')),
    bypass_error_response_overrides: Type.Optional(
      Type.Boolean({
        description: "Leave this Mapping's error responses as they are (no Module overrides).",
      }),
    ),
    error_response_overrides: Type.Optional(
      ErrorResponseOverrides("Error response rewrites for this Mapping's routes; they replace the Module's."),
    ),
  },
  { additionalProperties: true },
);
export type MappingSpec = Static<typeof MappingSpec>;
