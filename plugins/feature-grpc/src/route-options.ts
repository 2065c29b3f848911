import type { IRPathMatch } from '@attache/core';
import { grpcRetryConditions } from './schemas.js';

type Json = Record<string, unknown>;

export interface RouteProblem {
  code: 'GRPC_FIELD_INVALID' | 'GRPC_MATCH_OUTSIDE_PREFIX' | 'GRPC_TIMEOUT_CAPPED_BY_ROUTE';
  path: string;
  message: string;
}

/** What this plugin does to the routes of one Mapping. */
export interface GrpcRouteOptions {
  /** RouteAction.max_stream_duration (grpc_timeout). */
  maxStreamDuration?: Json;
  /** gRPC retry conditions appended to retry_on (retry_policy.grpc_retry_on). */
  retryOn?: string[];
  /** The path match grpc_match compiles to, and whether Emissary's default rewrite "/" is dropped. */
  match?: { path: IRPathMatch; dropDefaultRewrite: boolean };
}

const maxMs = 315576000000;
const serviceName = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const methodName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Milliseconds → proto3-JSON Duration. */
export function durationOf(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}s`;
}

function millis(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxMs;
}

/** grpc_timeout → max_stream_duration: Envoy bounds a gRPC call by its grpc-timeout header. */
function grpcTimeout(spec: Readonly<Json>, problems: RouteProblem[]): Json | undefined {
  const raw = spec.grpc_timeout;
  if (raw === undefined) return undefined;
  const bad = (path: string, message: string) => {
    problems.push({ code: 'GRPC_FIELD_INVALID', path, message });
    return undefined;
  };
  if (!isRecord(raw))
    return bad(
      '/spec/grpc_timeout',
      'spec.grpc_timeout must be {header_max_ms, header_offset_ms}; it is ignored',
    );
  for (const key of Object.keys(raw)) {
    if (key !== 'header_max_ms' && key !== 'header_offset_ms')
      return bad(
        `/spec/grpc_timeout/${key}`,
        `spec.grpc_timeout has no field ${key} (header_max_ms, header_offset_ms); grpc_timeout is ignored`,
      );
  }
  const max = raw.header_max_ms ?? 0;
  if (!millis(max))
    return bad(
      '/spec/grpc_timeout/header_max_ms',
      'spec.grpc_timeout.header_max_ms must be a whole number of milliseconds, 0 (no cap) or more; grpc_timeout is ignored',
    );
  const offset = raw.header_offset_ms;
  if (offset !== undefined && !millis(offset))
    return bad(
      '/spec/grpc_timeout/header_offset_ms',
      'spec.grpc_timeout.header_offset_ms must be a whole number of milliseconds, 0 or more; grpc_timeout is ignored',
    );
  const out: Json = { grpc_timeout_header_max: durationOf(max) };
  if (offset !== undefined) out.grpc_timeout_header_offset = durationOf(offset);
  if (spec.timeout_ms !== 0) {
    problems.push({
      code: 'GRPC_TIMEOUT_CAPPED_BY_ROUTE',
      path: '/spec/timeout_ms',
      message: `grpc_timeout honours the client's deadline, but timeout_ms (${spec.timeout_ms === undefined ? 'Emissary default 3000' : spec.timeout_ms} ms) still ends every call and stream on this Mapping; set timeout_ms: 0 to let client deadlines rule`,
    });
  }
  return out;
}

function grpcRetryOn(spec: Readonly<Json>, problems: RouteProblem[]): string[] | undefined {
  const policy = spec.retry_policy;
  if (!isRecord(policy) || policy.grpc_retry_on === undefined) return undefined;
  const raw = policy.grpc_retry_on;
  const known = grpcRetryConditions as readonly string[];
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    raw.some((c) => typeof c !== 'string' || !known.includes(c))
  ) {
    problems.push({
      code: 'GRPC_FIELD_INVALID',
      path: '/spec/retry_policy/grpc_retry_on',
      message: `spec.retry_policy.grpc_retry_on must be a non-empty list of ${known.join(', ')}; it is ignored`,
    });
    return undefined;
  }
  return [...new Set(raw as string[])];
}

function grpcMatch(spec: Readonly<Json>, problems: RouteProblem[]): GrpcRouteOptions['match'] {
  const raw = spec.grpc_match;
  if (raw === undefined) return undefined;
  const bad = (path: string, message: string) => {
    problems.push({ code: 'GRPC_FIELD_INVALID', path, message });
    return undefined;
  };
  if (!isRecord(raw))
    return bad(
      '/spec/grpc_match',
      'spec.grpc_match must be {service, method}; it is ignored (the Mapping matches by prefix)',
    );
  for (const key of Object.keys(raw)) {
    if (key !== 'service' && key !== 'method')
      return bad(
        `/spec/grpc_match/${key}`,
        `spec.grpc_match has no field ${key} (service, method); grpc_match is ignored`,
      );
  }
  const { service, method } = raw;
  if (typeof service !== 'string' || !serviceName.test(service))
    return bad(
      '/spec/grpc_match/service',
      'spec.grpc_match.service must be a fully qualified gRPC service name such as helloworld.Greeter; grpc_match is ignored',
    );
  if (method !== undefined && (typeof method !== 'string' || !methodName.test(method)))
    return bad(
      '/spec/grpc_match/method',
      'spec.grpc_match.method must be a gRPC method name such as SayHello; grpc_match is ignored',
    );
  const path: IRPathMatch = method
    ? { kind: 'path', value: `/${service}/${method}` }
    : { kind: 'prefix', value: `/${service}/` };
  const prefix = spec.prefix;
  if (typeof prefix === 'string' && spec.prefix_regex !== true && !path.value.startsWith(prefix)) {
    problems.push({
      code: 'GRPC_MATCH_OUTSIDE_PREFIX',
      path: '/spec/grpc_match',
      message: `grpc_match matches ${path.value}, outside this Mapping's prefix ${prefix}; Mappings are ordered by prefix, so set prefix: /${service}/ to keep this route ahead of broader ones`,
    });
  }
  return { path, dropDefaultRewrite: spec.rewrite === undefined };
}

/** The answer for the many Mappings without gRPC route options (shared, never edited). */
const nothing: { problems: RouteProblem[] } = Object.freeze({
  problems: Object.freeze([]) as unknown as RouteProblem[],
});

/**
 * Whether a Mapping spec has a field grpcRouteOptions reads: without one it has no options and
 * no problems (each reader starts from its field being absent), so the attach pass reads three
 * fields of a Mapping that does not use them and nothing more.
 */
export function hasGrpcRouteFields(spec: Readonly<Json>): boolean {
  return spec.grpc_timeout !== undefined || spec.grpc_match !== undefined || spec.retry_policy !== undefined;
}

/** The gRPC route options of one Mapping spec, with what is wrong with them. */
export function grpcRouteOptions(spec: Readonly<Json>): {
  options?: GrpcRouteOptions;
  problems: RouteProblem[];
} {
  return hasGrpcRouteFields(spec) ? grpcRouteOptionsOf(spec) : nothing;
}

/** grpcRouteOptions without looking first whether the spec has any of the fields. */
export function grpcRouteOptionsOf(spec: Readonly<Json>): {
  options?: GrpcRouteOptions;
  problems: RouteProblem[];
} {
  const problems: RouteProblem[] = [];
  const options: GrpcRouteOptions = {};
  const duration = grpcTimeout(spec, problems);
  if (duration) options.maxStreamDuration = duration;
  const retryOn = grpcRetryOn(spec, problems);
  if (retryOn) options.retryOn = retryOn;
  const match = grpcMatch(spec, problems);
  if (match) options.match = match;
  return Object.keys(options).length > 0 ? { options, problems } : { problems };
}
