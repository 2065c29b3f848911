import { extAuthzType } from './model.js';
import type { AuthServiceSpec } from './schemas.js';

/** Request headers Emissary always sends to an HTTP auth service. */
export const alwaysAllowedRequestHeaders = [
  'authorization',
  'cookie',
  'from',
  'proxy-authorization',
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
];

/** Auth response headers Emissary always passes on (upstream when allowed, to the client when denied). */
export const alwaysAllowedAuthorizationHeaders = [
  'authorization',
  'location',
  'proxy-authenticate',
  'set-cookie',
  'www-authenticate',
];

const matchers = (fixed: readonly string[], extra: readonly string[] | undefined) =>
  [...new Set([...fixed, ...(extra ?? []).map((h) => h.toLowerCase())])]
    .sort()
    .map((exact) => ({ exact, ignore_case: true }));

/** A literal header value in Envoy's format syntax. */
function literal(value: string): string {
  return value.replace(/%/g, '%%');
}

/** "%0.3fs", as Emissary writes durations. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

export interface ExtAuthzInputs {
  spec: AuthServiceSpec;
  cluster: string;
  /** host:port of the auth service, for l5d-dst-override. */
  authority: string;
  /** The ambassador Module's add_linkerd_headers, the default of the AuthService's. */
  moduleAddLinkerdHeaders: boolean;
}

/**
 * The ext_authz filter config Emissary generates for an AuthService
 * (V3HTTPFilter_authv1 in Emissary's envoy/v3/v3httpfilter.py): http_service
 * or grpc_service, Emissary's fixed header allow-lists merged with the
 * configured ones, the body settings, failure handling. proto3-JSON.
 */
export function extAuthzConfig({
  spec,
  cluster,
  authority,
  moduleAddLinkerdHeaders,
}: ExtAuthzInputs): Record<string, unknown> {
  const timeout = seconds(spec.timeout_ms ? spec.timeout_ms : 5000);
  const config: Record<string, unknown> = { '@type': extAuthzType };
  if ((spec.proto ?? 'http') === 'grpc') {
    config.grpc_service = { envoy_grpc: { cluster_name: cluster }, timeout };
    config.transport_api_version = 'V3';
  } else {
    const tls = spec.tls === true || typeof spec.tls === 'string' || /^https:\/\//i.test(spec.auth_service);
    const prefix = (spec.path_prefix ?? '').replace(/^\//, '');
    // Envoy reads these values as substitution formats; Emissary's are literal text, so "%" is escaped.
    const headersToAdd = Object.entries(spec.add_auth_headers ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value: literal(value) }));
    if (spec.add_linkerd_headers ?? moduleAddLinkerdHeaders) {
      headersToAdd.push({ key: 'l5d-dst-override', value: literal(authority) });
    }
    const allowedAuthorization = matchers(
      alwaysAllowedAuthorizationHeaders,
      spec.allowed_authorization_headers,
    );
    const authorizationRequest: Record<string, unknown> = {
      allowed_headers: { patterns: matchers(alwaysAllowedRequestHeaders, spec.allowed_request_headers) },
    };
    if (headersToAdd.length > 0) authorizationRequest.headers_to_add = headersToAdd;
    const service: Record<string, unknown> = {
      server_uri: { uri: `${tls ? 'https' : 'http'}://${prefix}`, cluster, timeout },
      authorization_request: authorizationRequest,
      authorization_response: {
        allowed_upstream_headers: { patterns: allowedAuthorization },
        allowed_client_headers: { patterns: allowedAuthorization },
      },
    };
    if (spec.path_prefix) service.path_prefix = spec.path_prefix;
    config.http_service = service;
  }
  config.clear_route_cache = true;
  const body =
    spec.include_body ?? (spec.allow_request_body ? { max_bytes: 4096, allow_partial: true } : undefined);
  if (body) {
    config.with_request_body = {
      max_request_bytes: body.max_bytes,
      allow_partial_message: body.allow_partial,
    };
  }
  if (spec.failure_mode_allow !== undefined) config.failure_mode_allow = spec.failure_mode_allow;
  if (spec.status_on_error) config.status_on_error = { code: spec.status_on_error.code };
  return config;
}
