import { AmbassadorIdField, type ResourceRef, unknownFieldProblems } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import type { LabelProblem } from './labels.js';
import { maxDurationMs } from './local.js';

/** getambassador.io/v3alpha1 RateLimitService `spec` (v2's spellings are converted first). */
export const RateLimitServiceSpec = Type.Object(
  {
    ambassador_id: AmbassadorIdField,
    service: Type.String({
      minLength: 1,
      description: 'The rate-limit service: [scheme://]host[:port], resolved like a Mapping service.',
    }),
    domain: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Sent with every request; the service's configuration must use it (default: the Module's default_label_domain).",
      }),
    ),
    timeout_ms: Type.Optional(
      Type.Integer({ minimum: 0, description: 'How long Envoy waits for the service (default 20).' }),
    ),
    tls: Type.Optional(
      Type.Union([Type.String(), Type.Boolean()], {
        description: 'A TLSContext name for TLS to the service, or true for TLS without one.',
      }),
    ),
    protocol_version: Type.Optional(
      Type.Union([Type.Literal('v3'), Type.Literal('v2')], {
        description: 'Must be v3 (v2, Emissary’s default, is refused as Emissary 3 does).',
      }),
    ),
    failure_mode_deny: Type.Optional(
      Type.Boolean({
        description: 'Refuse requests (500) when the service cannot be reached (default false: allow).',
      }),
    ),
    stats_name: Type.Optional(Type.String({ description: "The service cluster's alt_stat_name." })),
    grpc: Type.Optional(
      Type.Object(
        {
          use_resource_exhausted_code: Type.Optional(
            Type.Boolean({
              description: 'Refused gRPC calls get RESOURCE_EXHAUSTED instead of UNAVAILABLE.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    v2ExplicitTLS: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Emissary v2 round-trip data; ignored.' }),
    ),
  },
  { description: 'Emissary RateLimitService: the global rate-limit service Envoy asks.' },
);
export type RateLimitServiceSpec = Static<typeof RateLimitServiceSpec>;

const fieldNames = Object.keys(RateLimitServiceSpec.properties);

/** A RateLimitService as the plugin uses it. */
export interface RateLimitServiceConfig {
  ref: ResourceRef;
  namespace: string;
  service: string;
  /** Undefined: the Module's default_label_domain (known in attach). */
  domain?: string;
  timeoutMs: number;
  failureModeDeny: boolean;
  tls?: string | boolean;
  statsName?: string;
  resourceExhausted: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** getambassador.io/v2 spells three fields differently (v3StatsName, v3GRPC, and v2's bool-or-string tls). */
export function convertV2RateLimitSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec };
  if ('v3StatsName' in out) {
    out.stats_name ??= out.v3StatsName;
    delete out.v3StatsName;
  }
  if ('v3GRPC' in out) {
    out.grpc ??= out.v3GRPC;
    delete out.v3GRPC;
  }
  return out;
}

function typeProblem(spec: Record<string, unknown>): LabelProblem | undefined {
  const bad = (field: string, message: string): LabelProblem => ({
    code: 'RATELIMIT_SCHEMA_INVALID',
    path: `/spec/${field}`,
    message: `${field} ${message}; the RateLimitService is ignored`,
  });
  const id = spec.ambassador_id;
  if (
    id !== undefined &&
    typeof id !== 'string' &&
    !(Array.isArray(id) && id.every((s) => typeof s === 'string'))
  ) {
    return bad('ambassador_id', 'must be a string or a list of strings');
  }
  for (const field of ['service', 'domain', 'stats_name'] as const) {
    const value = spec[field];
    if (value !== undefined && typeof value !== 'string') return bad(field, 'must be a string');
  }
  if (typeof spec.domain === 'string' && spec.domain.length === 0) return bad('domain', 'must not be empty');
  const timeout = spec.timeout_ms;
  if (
    timeout !== undefined &&
    !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= 0 && timeout <= maxDurationMs)
  ) {
    return bad(
      'timeout_ms',
      `must be a whole number of milliseconds from 0 to ${maxDurationMs} (Envoy's longest duration), got ${JSON.stringify(timeout)}`,
    );
  }
  if (spec.tls !== undefined && typeof spec.tls !== 'string' && typeof spec.tls !== 'boolean') {
    return bad('tls', 'must be a TLSContext name or true/false');
  }
  const pv = spec.protocol_version;
  if (pv !== undefined && pv !== 'v2' && pv !== 'v3')
    return bad('protocol_version', `must be v3, got ${JSON.stringify(pv)}`);
  if (spec.failure_mode_deny !== undefined && typeof spec.failure_mode_deny !== 'boolean') {
    return bad('failure_mode_deny', 'must be true or false');
  }
  if (spec.grpc !== undefined) {
    if (!isRecord(spec.grpc)) return bad('grpc', 'must be {use_resource_exhausted_code: true|false}');
    const code = spec.grpc.use_resource_exhausted_code;
    if (code !== undefined && typeof code !== 'boolean')
      return bad('grpc/use_resource_exhausted_code', 'must be true or false');
  }
  return undefined;
}

/**
 * Validates one RateLimitService spec (v3alpha1 spelling). Returns the config,
 * or undefined with the problems that make it unusable (plus warnings either way).
 */
export function readRateLimitService(
  ref: ResourceRef,
  rawSpec: unknown,
): { config?: RateLimitServiceConfig; problems: LabelProblem[] } {
  const problems: LabelProblem[] = [];
  if (!isRecord(rawSpec)) {
    problems.push({
      code: 'RATELIMIT_SCHEMA_INVALID',
      path: '/spec',
      message: 'spec must be an object; the RateLimitService is ignored',
    });
    return { problems };
  }
  const spec = /^getambassador\.io\/v[12]$/.test(ref.apiVersion) ? convertV2RateLimitSpec(rawSpec) : rawSpec;
  problems.push(
    ...unknownFieldProblems(spec, fieldNames, {
      code: 'RATELIMIT_FIELD_UNKNOWN',
      what: 'RateLimitService',
      at: '/spec',
    }),
  );
  const typeError = typeProblem(spec);
  if (typeError) return { problems: [...problems, typeError] };
  if (typeof spec.service !== 'string' || spec.service.trim() === '') {
    problems.push({
      code: 'RATELIMIT_SERVICE_MISSING',
      path: '/spec/service',
      message:
        'service is required in RateLimitService (e.g. service: ratelimit.infra:8081); the RateLimitService is ignored',
    });
    return { problems };
  }
  if (spec.protocol_version !== 'v3') {
    problems.push({
      code: 'RATELIMIT_PROTOCOL_UNSUPPORTED',
      path: '/spec/protocol_version',
      message: `RateLimitService: protocol_version ${(spec.protocol_version as string | undefined) ?? 'v2 (the default)'} is unsupported, protocol_version must be "v3"; the RateLimitService is ignored`,
    });
    return { problems };
  }
  const grpc = spec.grpc as { use_resource_exhausted_code?: boolean } | undefined;
  const config: RateLimitServiceConfig = {
    ref,
    namespace: ref.namespace ?? 'default',
    service: spec.service,
    timeoutMs: (spec.timeout_ms as number | undefined) ?? 20,
    failureModeDeny: (spec.failure_mode_deny as boolean | undefined) ?? false,
    resourceExhausted: grpc?.use_resource_exhausted_code ?? false,
  };
  if (typeof spec.domain === 'string') config.domain = spec.domain;
  if (spec.tls !== undefined && spec.tls !== false && spec.tls !== '')
    config.tls = spec.tls as string | boolean;
  if (typeof spec.stats_name === 'string' && spec.stats_name !== '') config.statsName = spec.stats_name;
  return { config, problems };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

export const rateLimitFilterName = 'envoy.filters.http.ratelimit';

/** The ratelimit HTTP filter's config, field for field as Emissary's V3HTTPFilter_ratelimit writes it. */
export function rateLimitFilterConfig(
  config: RateLimitServiceConfig,
  domain: string,
  clusterName: string,
): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
    domain,
    timeout: seconds(config.timeoutMs),
    request_type: 'both',
    failure_mode_deny: config.failureModeDeny,
    rate_limited_as_resource_exhausted: config.resourceExhausted,
    rate_limit_service: {
      grpc_service: { envoy_grpc: { cluster_name: clusterName } },
      transport_api_version: 'V3',
    },
  };
}
