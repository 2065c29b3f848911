import { type Static, Type } from '@sinclair/typebox';
import {
  AmbassadorId,
  CircuitBreaker,
  Cors,
  ErrorResponseOverrides,
  Keepalive,
  LoadBalancer,
  Millis,
  RetryPolicy,
  StringEnum,
} from './common.js';
import { ModuleEdgeKeys } from './module-edge.js';

/** The `ambassador` Module's config: global defaults for listeners, routes and clusters. */
export const AmbassadorModuleConfig = Type.Object(
  {
    use_remote_address: Type.Optional(
      Type.Boolean({ description: 'Trust the peer address (default true).' }),
    ),
    xff_num_trusted_hops: Type.Optional(
      Type.Integer({ minimum: 0, description: 'No effect: use Listener.l7Depth.' }),
    ),
    use_proxy_proto: Type.Optional(
      Type.Boolean({ description: 'No effect: use Listener protocol HTTPPROXY.' }),
    ),
    server_name: Type.Optional(Type.String({ description: 'Server header value (default "envoy").' })),
    listener_idle_timeout_ms: Type.Optional(Millis('Idle timeout of downstream connections.')),
    cluster_request_timeout_ms: Type.Optional(Millis('Default Mapping timeout_ms (default 3000).')),
    cluster_idle_timeout_ms: Type.Optional(Millis('Default Mapping cluster_idle_timeout_ms.')),
    cluster_max_connection_lifetime_ms: Type.Optional(
      Millis('Default Mapping cluster_max_connection_lifetime_ms.'),
    ),
    merge_slashes: Type.Optional(Type.Boolean()),
    strip_matching_host_port: Type.Optional(Type.Boolean()),
    normalize_path: Type.Optional(Type.Boolean({ description: 'Default true.' })),
    enable_http10: Type.Optional(Type.Boolean()),
    preserve_external_request_id: Type.Optional(Type.Boolean()),
    max_request_headers_kb: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192 })),
    server_header_transformation: Type.Optional(
      StringEnum(['OVERWRITE', 'APPEND_IF_ABSENT', 'PASS_THROUGH']),
    ),
    headers_with_underscores_action: Type.Optional(StringEnum(['ALLOW', 'REJECT_REQUEST', 'DROP_HEADER'])),
    suppress_envoy_headers: Type.Optional(Type.Boolean()),
    circuit_breakers: Type.Optional(Type.Array(CircuitBreaker)),
    load_balancer: Type.Optional(LoadBalancer),
    retry_policy: Type.Optional(RetryPolicy),
    cors: Type.Optional(Cors),
    keepalive: Type.Optional(Keepalive),
    regex_max_size: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 4294967295, description: 'RE2 program size limit (default 200).' }),
    ),
    add_linkerd_headers: Type.Optional(Type.Boolean()),
    x_forwarded_proto_redirect: Type.Optional(Type.Boolean()),
    enable_ipv4: Type.Optional(Type.Boolean()),
    enable_ipv6: Type.Optional(Type.Boolean()),
    resolver: Type.Optional(Type.String({ description: 'Default resolver for Mappings.' })),
    forward_client_cert_details: Type.Optional(
      StringEnum(['SANITIZE', 'FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET', 'ALWAYS_FORWARD_ONLY']),
    ),
    set_current_client_cert_details: Type.Optional(
      Type.Object(
        {
          subject: Type.Optional(Type.Boolean()),
          cert: Type.Optional(Type.Boolean()),
          chain: Type.Optional(Type.Boolean()),
          dns: Type.Optional(Type.Boolean()),
          uri: Type.Optional(Type.Boolean()),
        },
        // Envoy knows only these five; another key would make it refuse every listener.
        { additionalProperties: false },
      ),
    ),
    allow_chunked_length: Type.Optional(Type.Boolean()),
    proper_case: Type.Optional(Type.Boolean({ description: 'Send HTTP/1 header names in Proper-Case.' })),
    reject_requests_with_escaped_slashes: Type.Optional(Type.Boolean()),
    lua_scripts: Type.Optional(
      Type.String({ minLength: 1, description: 'Lua code run by the lua HTTP filter on every request.' }),
    ),
    buffer: Type.Optional(
      Type.Object(
        {
          max_request_bytes: Type.Integer({
            minimum: 1,
            maximum: 4294967295,
            description: 'Largest request body buffered.',
          }),
        },
        { description: 'Buffer whole request bodies (the buffer HTTP filter).' },
      ),
    ),
    buffer_limit_bytes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 4294967295, description: 'Per-connection buffer limit.' }),
    ),
    use_ambassador_namespace_for_service_resolution: Type.Optional(
      Type.Boolean({ description: "Resolve bare service names in Attaché's namespace, not the Mapping's." }),
    ),
    error_response_overrides: Type.Optional(
      ErrorResponseOverrides(
        'Error response rewrites for every route (a Mapping may replace or bypass them).',
      ),
    ),
    ...ModuleEdgeKeys,
  },
  { additionalProperties: true },
);
export type AmbassadorModuleConfig = Static<typeof AmbassadorModuleConfig>;

/** getambassador.io/v3alpha1 Module spec. Only the Module named `ambassador` is read. */
export const ModuleSpec = Type.Object(
  {
    ambassador_id: Type.Optional(AmbassadorId),
    config: Type.Optional(AmbassadorModuleConfig),
  },
  { additionalProperties: true },
);
export type ModuleSpec = Static<typeof ModuleSpec>;
