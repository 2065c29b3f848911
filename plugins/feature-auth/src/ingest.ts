import {
  closestMatch,
  type PassContext,
  pointerSegment,
  type ResourceRef,
  refOf,
  requestServices,
  type ServiceRequest,
  writeExt,
} from '@attache/core';
import { Value } from '@sinclair/typebox/value';
import { type AuthService, type AuthServices, AuthServicesExt, globalFilterName } from './model.js';
import { AuthServiceSpec } from './schemas.js';

const readableVersions = ['v1', 'v2', 'v3alpha1'];

/** Emissary's ambassador_id rule (absent: the instance "default"). */
export function servesAmbassadorId(spec: unknown, ours: string): boolean {
  const raw = (spec as { ambassador_id?: unknown } | undefined)?.ambassador_id;
  if (raw === undefined || raw === null) return ours === 'default';
  if (typeof raw === 'string') return raw === ours;
  if (Array.isArray(raw)) return raw.length === 0 ? ours === 'default' : raw.includes(ours);
  return false;
}

/** Objects inside the spec whose keys are checked too, with the keys they may have. */
const nestedKeys: Record<string, string[]> = {
  include_body: ['max_bytes', 'allow_partial'],
  status_on_error: ['code'],
};
const specKeys = Object.keys(AuthServiceSpec.properties);
const breakerKeys = ['priority', 'max_connections', 'max_pending_requests', 'max_requests', 'max_retries'];

/** Settings that several global AuthServices must agree on (Emissary checks the first five). */
const sharedSettings = [
  'path_prefix',
  'timeout_ms',
  'allowed_request_headers',
  'allowed_authorization_headers',
  'add_linkerd_headers',
  'proto',
  'protocol_version',
  'tls',
  'add_auth_headers',
  'include_body',
  'allow_request_body',
  'status_on_error',
  'failure_mode_allow',
  'circuit_breakers',
  'stats_name',
] as const;

/**
 * Validates AuthServices (ambassador_id, apiVersion, schema, Emissary's
 * rules for each field), applies Emissary's rule for several global ones,
 * asks the HTTP model for their clusters, and publishes them.
 */
export function ingestAuthServices(ctx: PassContext): void {
  const ambassadorId = ctx.options.ambassadorId ?? 'default';
  const accepted: AuthService[] = [];
  for (const stored of ctx.resources('getambassador.io/AuthService')) {
    const resource = stored.resource;
    const ref = refOf(resource, stored.origin);
    const spec = resource.spec as unknown;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      ctx.report({
        code: 'AUTH_SCHEMA_INVALID',
        resource: ref,
        path: '/spec',
        message: 'AuthService spec must be an object with auth_service',
      });
      continue;
    }
    if (!servesAmbassadorId(spec, ambassadorId)) continue;
    const version = resource.apiVersion.slice(resource.apiVersion.indexOf('/') + 1);
    if (!readableVersions.includes(version)) {
      ctx.report({
        code: 'AUTH_API_VERSION_UNKNOWN',
        resource: ref,
        path: '/apiVersion',
        message: `apiVersion ${resource.apiVersion} is not one Attaché reads for AuthService; write getambassador.io/v3alpha1 (v2 is read too). This AuthService is not used until then`,
      });
      continue;
    }
    reportUnknownFields(ctx, ref, spec as Record<string, unknown>);
    const normalised = normaliseTls(spec as Record<string, unknown>);
    if (!Value.Check(AuthServiceSpec, normalised)) {
      reportSchemaErrors(ctx, ref, normalised);
      continue;
    }
    const checked = checkSemantics(ctx, ref, normalised as AuthServiceSpec);
    if (!checked) continue;
    const namespace = resource.metadata.namespace ?? 'default';
    const name = resource.metadata.name;
    accepted.push({
      ref,
      id: `${namespace}/${name}`,
      name,
      namespace,
      spec: checked,
      proto: checked.proto ?? 'http',
      filterName: globalFilterName,
      requestId: `feature-auth/${namespace}/${name}`,
      canaries: [],
      global: checked.scope !== 'named',
    });
  }

  const services: AuthServices = { named: {} };
  const globals = accepted.filter((a) => a.global);
  const first = globals[0];
  if (first) {
    services.global = first;
    for (const other of globals.slice(1)) {
      for (const key of sharedSettings) {
        const mine = other.spec[key];
        if (mine === undefined) continue;
        const theirs = first.spec[key];
        if (JSON.stringify(mine) === JSON.stringify(theirs)) continue;
        ctx.report({
          code: 'AUTH_SERVICE_CONFLICT',
          resource: other.ref,
          path: `/spec/${key}`,
          message: `AuthServices ${first.id} and ${other.id} are both global, so they share one auth filter and their services take turns (Emissary's canary); they cannot have different ${key} values: ${theirs === undefined ? 'the default' : JSON.stringify(theirs)} from ${first.id} is used. Make the values equal, or give one scope: named`,
        });
      }
      first.canaries.push(other.ref);
    }
  }
  for (const named of accepted.filter((a) => !a.global)) {
    named.filterName = `${globalFilterName}/${named.namespace}/${named.name}`;
    services.named[named.id] = named;
  }

  const inUse = [...(services.global ? [services.global] : []), ...Object.values(services.named)];
  requestServices(
    ctx.ir.ext,
    inUse.map((auth) => serviceRequest(auth, auth === services.global ? globals.slice(1) : [])),
  );
  writeExt(ctx.ir, AuthServicesExt, services);
}

function serviceRequest(auth: AuthService, canaries: readonly AuthService[]): ServiceRequest {
  const spec = auth.spec;
  const request: ServiceRequest = {
    id: auth.requestId,
    ref: auth.ref,
    namespace: auth.namespace,
    service: spec.auth_service,
    servicePath: '/spec/auth_service',
    namePrefix: 'cluster_extauth',
  };
  if (spec.tls !== undefined) {
    request.tls = spec.tls;
    request.tlsPath = '/spec/tls';
  }
  if (auth.proto === 'grpc') request.http2 = true;
  if (canaries.length > 0) {
    request.moreServices = canaries.map((c) => ({
      service: c.spec.auth_service,
      servicePath: '/spec/auth_service',
      namespace: c.namespace,
      ref: c.ref,
    }));
  }
  if (spec.circuit_breakers?.length) {
    request.circuitBreakers = spec.circuit_breakers.map((b) => {
      const cb: NonNullable<ServiceRequest['circuitBreakers']>[number] = {
        priority: b.priority === 'high' ? 'HIGH' : 'DEFAULT',
      };
      if (b.max_connections !== undefined) cb.maxConnections = b.max_connections;
      if (b.max_pending_requests !== undefined) cb.maxPendingRequests = b.max_pending_requests;
      if (b.max_requests !== undefined) cb.maxRequests = b.max_requests;
      if (b.max_retries !== undefined) cb.maxRetries = b.max_retries;
      return cb;
    });
  }
  if (spec.stats_name) request.statsName = spec.stats_name;
  return request;
}

/** Emissary reads tls: "true"/"false" (any case) as the booleans; v2 wrote booleans. */
function normaliseTls(spec: Record<string, unknown>): Record<string, unknown> {
  const tls = spec.tls;
  if (typeof tls !== 'string') return spec;
  const lower = tls.toLowerCase();
  if (lower === 'true') return { ...spec, tls: true };
  if (lower === 'false' || tls === '') {
    const { tls: _gone, ...rest } = spec;
    return rest;
  }
  return spec;
}

function reportUnknownFields(ctx: PassContext, ref: ResourceRef, spec: Record<string, unknown>): void {
  const report = (path: string, display: string, key: string, known: string[]) => {
    const meant = closestMatch(key, known);
    ctx.report({
      code: 'AUTH_FIELD_UNKNOWN',
      resource: ref,
      path,
      message: meant
        ? `${display} is not an AuthService field: did you mean ${meant}? It is ignored until renamed`
        : `${display} is not an AuthService field; it is ignored (see docs/reference/authservice.md)`,
    });
  };
  for (const key of Object.keys(spec)) {
    if (!specKeys.includes(key)) {
      report(`/spec/${pointerSegment(key)}`, `spec.${key}`, key, specKeys);
      continue;
    }
    const value = spec[key];
    const known = nestedKeys[key];
    if (known && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const inner of Object.keys(value)) {
        if (!known.includes(inner))
          report(`/spec/${key}/${pointerSegment(inner)}`, `spec.${key}.${inner}`, inner, known);
      }
    }
    if (key === 'circuit_breakers' && Array.isArray(value)) {
      value.forEach((breaker, i) => {
        if (!breaker || typeof breaker !== 'object' || Array.isArray(breaker)) return;
        for (const inner of Object.keys(breaker)) {
          if (!breakerKeys.includes(inner))
            report(
              `/spec/circuit_breakers/${i}/${pointerSegment(inner)}`,
              `spec.circuit_breakers[${i}].${inner}`,
              inner,
              breakerKeys,
            );
        }
      });
    }
  }
}

function reportSchemaErrors(ctx: PassContext, ref: ResourceRef, spec: Record<string, unknown>): void {
  const seen = new Set<string>();
  if (spec.auth_service === undefined) {
    seen.add('/auth_service');
    ctx.report({
      code: 'AUTH_SCHEMA_INVALID',
      resource: ref,
      path: '/spec/auth_service',
      message: 'spec.auth_service is required: the address of the auth service, e.g. auth.security:3000',
    });
  }
  for (const error of Value.Errors(AuthServiceSpec, spec)) {
    // Report the innermost problem once per field (a union reports each branch).
    const field = error.path || '/';
    if (seen.has(field) || [...seen].some((s) => field.startsWith(`${s}/`))) continue;
    seen.add(field);
    const display = `spec${field.replace(/\//g, '.').replace(/\.(\d+)(?=\.|$)/g, '[$1]')}`;
    ctx.report({
      code: 'AUTH_SCHEMA_INVALID',
      resource: ref,
      path: `/spec${error.path}`,
      message: `${display === 'spec.' ? 'spec' : display}: ${error.message}${expectation(field)}; the AuthService is not used until this is fixed`,
    });
  }
}

function expectation(field: string): string {
  const hints: Record<string, string> = {
    '/proto': ' (http or grpc)',
    '/path_prefix': ' (a path that starts with "/", e.g. /extauth)',
    '/protocol_version': ' (v3)',
    '/tls': ' (a TLSContext name, or true)',
    '/scope': ' (global or named)',
    '/include_body': ' (max_bytes and allow_partial are both required)',
    '/status_on_error/code': ' (an HTTP status, 100-599)',
  };
  return hints[field] ?? '';
}

/** Envoy's StatusCode enum (envoy.type.v3.StatusCode): status_on_error must be one of these. */
const envoyStatusCodes = new Set([
  100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401,
  402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426,
  428, 429, 431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** An HTTP field name is a token (RFC 9110); Envoy refuses NUL, CR and LF in values, and will not add pseudo-headers or Host. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
function headerProblem(name: string, value: string): string | undefined {
  if (!token.test(name))
    return "the name is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)";
  if (name.toLowerCase() === 'host') return 'Envoy will not set Host on the auth request';
  if (name.length > 16384 || value.length > 16384) return 'longer than 16384 bytes';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is checked
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value))
    return 'the value holds CR, LF or another control character';
  return undefined;
}

/** Emissary's per-field rules the schema cannot say. Returns the spec to use, or undefined to drop it. */
function checkSemantics(
  ctx: PassContext,
  ref: ResourceRef,
  spec: AuthServiceSpec,
): AuthServiceSpec | undefined {
  const proto = spec.proto ?? 'http';
  if (proto === 'grpc' && spec.protocol_version !== 'v3') {
    ctx.report({
      code: 'AUTH_PROTOCOL_VERSION_UNSUPPORTED',
      resource: ref,
      path: spec.protocol_version === undefined ? '/spec' : '/spec/protocol_version',
      message: `protocol_version ${spec.protocol_version ?? 'v2 (the default)'} is not supported for proto grpc: Envoy speaks only envoy.service.auth.v3.Authorization; set protocol_version: v3. The AuthService is not used until then (as in Emissary 3)`,
    });
    return undefined;
  }
  const code = spec.status_on_error?.code;
  if (code !== undefined && !envoyStatusCodes.has(code)) {
    ctx.report({
      code: 'AUTH_SCHEMA_INVALID',
      resource: ref,
      path: '/spec/status_on_error/code',
      message: `status_on_error.code ${code} is not an HTTP status Envoy can send (envoy.type.v3.StatusCode); use a standard status such as 403 or 503. The AuthService is not used until then`,
    });
    return undefined;
  }
  const ignored = (path: string, why: string) =>
    ctx.report({ code: 'AUTH_FIELD_IGNORED', resource: ref, path, message: why });
  let out = spec;
  if (spec.add_auth_headers && proto === 'http') {
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.add_auth_headers)) {
      const problem = headerProblem(name, value);
      if (problem) {
        ctx.report({
          code: 'AUTH_HEADER_INVALID',
          resource: ref,
          path: `/spec/add_auth_headers/${pointerSegment(name)}`,
          message: `add_auth_headers ${JSON.stringify(name)}: ${problem}; this header is left out`,
        });
      } else kept[name] = value;
    }
    out = { ...out, add_auth_headers: kept };
  }
  if (proto === 'grpc') {
    for (const key of [
      'path_prefix',
      'allowed_request_headers',
      'allowed_authorization_headers',
      'add_auth_headers',
      'add_linkerd_headers',
    ] as const) {
      if (spec[key] !== undefined)
        ignored(
          `/spec/${key}`,
          `spec.${key} has no effect with proto grpc (the gRPC check carries every request header, and the auth service's response says which headers to add); remove it, or use proto http`,
        );
    }
  }
  if (spec.include_body && spec.allow_request_body !== undefined) {
    ignored(
      '/spec/allow_request_body',
      'spec.allow_request_body is ignored because include_body is set (as in Emissary); remove allow_request_body',
    );
    const { allow_request_body: _ignored, ...rest } = out;
    out = rest;
  }
  if (spec.failure_mode_allow === true && spec.status_on_error !== undefined) {
    ignored(
      '/spec/status_on_error',
      'spec.status_on_error has no effect with failure_mode_allow: true (requests go through when the auth service fails); remove one of them',
    );
  }
  return out;
}
