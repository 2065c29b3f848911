import type { FieldExtension } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';

/**
 * The AuthService spec (getambassador.io/v3alpha1, and v2 read the same way).
 * Structural, so the CRD generator can use it as is; value rules the schema
 * cannot say (which fields a proto uses, status codes Envoy knows) are checked
 * in ingest with their own codes.
 */

const Uint32 = (description: string) => Type.Integer({ minimum: 0, maximum: 4294967295, description });

export const AuthCircuitBreaker = Type.Object({
  priority: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('high')])),
  max_connections: Type.Optional(Uint32('Most connections to the auth service.')),
  max_pending_requests: Type.Optional(Uint32('Most requests waiting for a connection.')),
  max_requests: Type.Optional(Uint32('Most requests in flight.')),
  max_retries: Type.Optional(Uint32('Most retries in flight.')),
});

export const AuthServiceSpec = Type.Object(
  {
    ambassador_id: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'Which instances use this AuthService (default: the instance "default").',
        'x-kubernetes-preserve-unknown-fields': true,
      }),
    ),
    auth_service: Type.String({
      minLength: 1,
      description:
        'The external authorisation service: [http://|https://]host[:port]. https:// means TLS (and port 443 by default).',
    }),
    path_prefix: Type.Optional(
      Type.String({
        pattern: '^/',
        description: 'proto http: prepended to the request path sent to the auth service; starts with "/".',
      }),
    ),
    tls: Type.Optional(
      Type.Union([Type.String(), Type.Boolean()], {
        description: 'The name of a TLSContext for TLS to the auth service, or true for TLS without one.',
        'x-kubernetes-preserve-unknown-fields': true,
      }),
    ),
    proto: Type.Optional(
      Type.Union([Type.Literal('http'), Type.Literal('grpc')], {
        description: 'Which ext_authz protocol the auth service speaks (default http).',
      }),
    ),
    protocol_version: Type.Optional(
      Type.Union([Type.Literal('v2'), Type.Literal('v3')], {
        description: 'proto grpc: the gRPC API version; only v3 works (v2 is refused, as in Emissary 3).',
      }),
    ),
    timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 9_223_372_035_000,
        description: 'Time allowed for the auth check, in milliseconds (default 5000; 0 means the default).',
      }),
    ),
    allowed_request_headers: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'proto http: request headers copied to the auth request, besides Authorization, Cookie, From, Proxy-Authorization, User-Agent, X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Proto.',
      }),
    ),
    allowed_authorization_headers: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'proto http: auth response headers copied to the upstream request (when allowed) and to the client (when denied), besides Authorization, Location, Proxy-Authenticate, Set-Cookie and WWW-Authenticate.',
      }),
    ),
    add_auth_headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'proto http: headers added to every auth request.',
      }),
    ),
    add_linkerd_headers: Type.Optional(
      Type.Boolean({
        description:
          "proto http: send l5d-dst-override with the auth service's host:port (default: the ambassador Module's add_linkerd_headers).",
      }),
    ),
    allow_request_body: Type.Optional(
      Type.Boolean({
        description: 'Deprecated: include_body with max_bytes 4096 and allow_partial true.',
      }),
    ),
    include_body: Type.Optional(
      Type.Object(
        {
          max_bytes: Type.Integer({
            minimum: 1,
            maximum: 4294967295,
            description: 'At most this many body bytes go to the auth service.',
          }),
          allow_partial: Type.Boolean({
            description: 'Send the first max_bytes of a larger body (true) or refuse it with 413 (false).',
          }),
        },
        { description: 'Buffer the request body and send it to the auth service.' },
      ),
    ),
    status_on_error: Type.Optional(
      Type.Object(
        {
          code: Type.Integer({
            minimum: 100,
            maximum: 599,
            description: 'HTTP status returned when the auth service cannot be reached (default 403).',
          }),
        },
        { description: 'The response when the auth service fails (unless failure_mode_allow).' },
      ),
    ),
    failure_mode_allow: Type.Optional(
      Type.Boolean({ description: 'Let requests through when the auth service fails (default false).' }),
    ),
    circuit_breakers: Type.Optional(
      Type.Array(AuthCircuitBreaker, {
        description: "Circuit breakers of the auth service's cluster (default: the Module's).",
      }),
    ),
    stats_name: Type.Optional(
      Type.String({ minLength: 1, description: "The auth cluster's statistics name (alt_stat_name)." }),
    ),
    scope: Type.Optional(
      Type.Union([Type.Literal('global'), Type.Literal('named')], {
        description:
          'Beyond Emissary: global (default) checks every request; named checks only the Hosts and Mappings whose auth_service names this AuthService.',
      }),
    ),
  },
  { description: 'An external authorisation service (Envoy ext_authz).' },
);
export type AuthServiceSpec = Static<typeof AuthServiceSpec>;

/** Fields of other kinds this plugin implements (claimed with reg.fields). */
export const MappingBypassAuth = Type.Boolean({
  description: 'Do not ask the AuthService about requests this Mapping routes.',
});
export const MappingAuthContextExtensions = Type.Record(Type.String(), Type.String(), {
  description: 'Sent to the auth service with every check of this Mapping (gRPC: context_extensions).',
});
export const AuthServiceReference = Type.String({
  minLength: 1,
  description:
    'Beyond Emissary: the AuthService (name, or name.namespace) that checks the requests of this Host or Mapping instead of the global one.',
});

/** The Mapping and Host fields feature-auth implements (reg.fields), with their schemas for CRDs and docs. */
export const authFieldExtensions: readonly FieldExtension[] = [
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/bypass_auth',
    schema: MappingBypassAuth,
    description: MappingBypassAuth.description,
  },
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/auth_context_extensions',
    schema: MappingAuthContextExtensions,
    description: MappingAuthContextExtensions.description,
  },
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/auth_service',
    schema: AuthServiceReference,
    description: AuthServiceReference.description,
  },
  {
    kind: 'getambassador.io/Host',
    path: '/spec/auth_service',
    schema: AuthServiceReference,
    description: AuthServiceReference.description,
  },
];
