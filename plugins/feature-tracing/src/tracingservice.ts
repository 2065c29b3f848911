import { AmbassadorIdField, pointerSegment, type ResourceRef, unknownFieldProblems } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import type { TracingDiagnosticCode } from './codes.js';
import { headerNameProblem } from './header-name.js';

const Percent = (what: string) =>
  Type.Number({ minimum: 0, maximum: 100, description: `Percentage of requests ${what} (0–100).` });

const CustomTag = Type.Object(
  {
    tag: Type.String({ minLength: 1, description: 'The tag (span attribute) name.' }),
    literal: Type.Optional(
      Type.Object({ value: Type.String({ minLength: 1 }) }, { description: 'A fixed value.' }),
    ),
    environment: Type.Optional(
      Type.Object(
        { name: Type.String({ minLength: 1 }), default_value: Type.Optional(Type.String()) },
        { description: "An environment variable of Envoy's process." },
      ),
    ),
    request_header: Type.Optional(
      Type.Object(
        { name: Type.String({ minLength: 1 }), default_value: Type.Optional(Type.String()) },
        { description: 'A request header.' },
      ),
    ),
  },
  { description: 'A tag on every span: exactly one of literal, environment, request_header.' },
);

/** getambassador.io/v3alpha1 TracingService `spec`. */
export const TracingServiceSpec = Type.Object(
  {
    ambassador_id: AmbassadorIdField,
    service: Type.String({
      minLength: 1,
      description: 'The trace collector: [scheme://]host[:port], resolved like a Mapping service.',
    }),
    // lightstep stays in the schema (and so in the CRD) so that an Emissary TracingService still
    // reaches the compiler, whose TRACING_DRIVER_UNSUPPORTED says how to move to opentelemetry;
    // an API-server enum error could not.
    driver: Type.Union(
      [
        Type.Literal('zipkin'),
        Type.Literal('opentelemetry'),
        Type.Literal('datadog'),
        Type.Literal('lightstep'),
      ],
      {
        description:
          'The collector protocol: zipkin, opentelemetry or datadog. lightstep is accepted here but refused by the compiler (Envoy 1.39 has no Lightstep tracer; use opentelemetry).',
      },
    ),
    sampling: Type.Optional(
      Type.Object(
        {
          client: Type.Optional(Percent('traced when the client asks for it (x-client-trace-id)')),
          random: Type.Optional(Percent('traced at random')),
          overall: Type.Optional(Percent('traced after the other two decisions')),
        },
        { description: "Envoy's sampling percentages (default 100 each)." },
      ),
    ),
    tag_headers: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Deprecated: request headers to tag spans with (Attaché turns each into a request_header custom tag).',
      }),
    ),
    custom_tags: Type.Optional(Type.Array(CustomTag, { description: 'Tags on every span.' })),
    config: Type.Optional(
      Type.Object(
        {
          collector_endpoint: Type.Optional(
            Type.String({ description: 'zipkin: the collector path (default /api/v2/spans).' }),
          ),
          collector_endpoint_version: Type.Optional(
            Type.Union(
              [Type.Literal('HTTP_JSON'), Type.Literal('HTTP_PROTO'), Type.Literal('HTTP_JSON_V1')],
              {
                description: 'zipkin: HTTP_JSON (default) or HTTP_PROTO.',
              },
            ),
          ),
          trace_id_128bit: Type.Optional(
            Type.Boolean({ description: 'zipkin: 128-bit trace ids (default true).' }),
          ),
          shared_span_context: Type.Optional(
            Type.Boolean({ description: "zipkin: client and server share one span (Envoy's default true)." }),
          ),
          service_name: Type.Optional(
            Type.String({
              minLength: 1,
              description: 'opentelemetry, datadog: the service name on spans (default ambassador).',
            }),
          ),
        },
        { description: 'Driver settings.' },
      ),
    ),
    stats_name: Type.Optional(Type.String({ description: "The collector cluster's alt_stat_name." })),
    v2ExplicitTLS: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Emissary v2 round-trip data; ignored.' }),
    ),
  },
  { description: 'Emissary TracingService: where Envoy sends request traces, and how many.' },
);
export type TracingServiceSpec = Static<typeof TracingServiceSpec>;

const fieldNames = Object.keys(TracingServiceSpec.properties);

/** The config keys each driver reads. */
const driverFields: Record<TracingDriver, readonly string[]> = {
  zipkin: ['collector_endpoint', 'collector_endpoint_version', 'trace_id_128bit', 'shared_span_context'],
  opentelemetry: ['service_name'],
  datadog: ['service_name'],
};

export type TracingDriver = 'zipkin' | 'opentelemetry' | 'datadog';

export interface TracingProblem {
  code: TracingDiagnosticCode;
  path: string;
  message: string;
}

/** A TracingService as the plugin uses it. */
export interface TracingServiceConfig {
  ref: ResourceRef;
  namespace: string;
  service: string;
  driver: TracingDriver;
  sampling: { client?: number; random?: number; overall?: number };
  /** Envoy CustomTag proto3-JSON, tag_headers' first. */
  customTags: Record<string, unknown>[];
  /** Driver config as given, checked (collector and defaults are added when lowered). */
  driverConfig: Record<string, unknown>;
  statsName?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeProblem(spec: Record<string, unknown>): TracingProblem | undefined {
  const bad = (field: string, message: string, code: TracingDiagnosticCode = 'TRACING_SCHEMA_INVALID') => ({
    code,
    path: `/spec/${field}`,
    message: `${field} ${message}; the TracingService is ignored`,
  });
  const id = spec.ambassador_id;
  if (
    id !== undefined &&
    typeof id !== 'string' &&
    !(Array.isArray(id) && id.every((s) => typeof s === 'string'))
  )
    return bad('ambassador_id', 'must be a string or a list of strings');
  for (const field of ['service', 'stats_name'] as const) {
    if (spec[field] !== undefined && typeof spec[field] !== 'string') return bad(field, 'must be a string');
  }
  const driver = spec.driver;
  if (driver === undefined) return bad('driver', 'is required: zipkin, opentelemetry or datadog');
  if (driver === 'lightstep')
    return bad(
      'driver',
      'lightstep is not available: Envoy 1.39 has no Lightstep tracer; send spans to Lightstep with driver opentelemetry',
      'TRACING_DRIVER_UNSUPPORTED',
    );
  if (driver !== 'zipkin' && driver !== 'opentelemetry' && driver !== 'datadog')
    return bad(
      'driver',
      `must be zipkin, opentelemetry or datadog, got ${JSON.stringify(driver)}`,
      'TRACING_DRIVER_UNSUPPORTED',
    );
  if (spec.sampling !== undefined && spec.sampling !== null) {
    if (!isRecord(spec.sampling)) return bad('sampling', 'must be a map {client, random, overall}');
    for (const key of ['client', 'random', 'overall'] as const) {
      const v = spec.sampling[key];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100))
        return bad(`sampling/${key}`, `must be a percentage from 0 to 100, got ${JSON.stringify(v)}`);
    }
  }
  if (spec.tag_headers !== undefined && spec.tag_headers !== null) {
    if (!Array.isArray(spec.tag_headers)) return bad('tag_headers', 'must be a list of header names');
  }
  if (spec.custom_tags !== undefined && spec.custom_tags !== null && !Array.isArray(spec.custom_tags))
    return bad('custom_tags', 'must be a list of {tag, literal | environment | request_header}');
  if (spec.config !== undefined && spec.config !== null) {
    if (!isRecord(spec.config)) return bad('config', `must be a map of ${driver} settings`);
    const c = spec.config;
    if (driver === 'zipkin') {
      if (
        c.collector_endpoint !== undefined &&
        !(typeof c.collector_endpoint === 'string' && c.collector_endpoint.startsWith('/'))
      )
        return bad(
          'config/collector_endpoint',
          `must be a path starting with /, got ${JSON.stringify(c.collector_endpoint)}`,
        );
      if (
        typeof c.collector_endpoint === 'string' &&
        [...c.collector_endpoint].some((ch) => ch.charCodeAt(0) < 0x21 || ch.charCodeAt(0) === 0x7f)
      )
        return bad('config/collector_endpoint', 'must not hold spaces or control characters');
      const v = c.collector_endpoint_version;
      if (v !== undefined && v !== 'HTTP_JSON' && v !== 'HTTP_PROTO' && v !== 'HTTP_JSON_V1')
        return bad(
          'config/collector_endpoint_version',
          `must be HTTP_JSON or HTTP_PROTO, got ${JSON.stringify(v)}`,
        );
      for (const flag of ['trace_id_128bit', 'shared_span_context'] as const) {
        if (c[flag] !== undefined && typeof c[flag] !== 'boolean')
          return bad(`config/${flag}`, 'must be true or false');
      }
    } else if (c.service_name !== undefined && !(typeof c.service_name === 'string' && c.service_name !== ''))
      return bad('config/service_name', 'must be a non-empty string');
  }
  return undefined;
}

/** One custom tag → Envoy CustomTag, or the problem that drops it. */
function readCustomTag(
  raw: unknown,
  path: string,
  problems: TracingProblem[],
): Record<string, unknown> | undefined {
  const drop = (at: string, why: string) => {
    problems.push({
      code: 'TRACING_CUSTOM_TAG_INVALID',
      path: at,
      message: `custom tag ${why}; it is dropped`,
    });
    return undefined;
  };
  if (!isRecord(raw)) return drop(path, 'must be a map {tag, literal | environment | request_header}');
  const kinds = ['literal', 'environment', 'request_header'] as const;
  for (const key of Object.keys(raw)) {
    if (key === 'tag' || (kinds as readonly string[]).includes(key)) continue;
    problems.push({
      code: 'TRACING_FIELD_UNKNOWN',
      path: `${path}/${pointerSegment(key)}`,
      message: `custom tags have no field '${key}' (they have tag, ${kinds.join(', ')}); ignored`,
    });
  }
  if (typeof raw.tag !== 'string' || raw.tag === '') return drop(`${path}/tag`, 'needs a tag name');
  const given = kinds.filter((k) => raw[k] !== undefined);
  if (given.length !== 1)
    return drop(
      path,
      `'${raw.tag}' needs exactly one of ${kinds.join(', ')}, has ${given.length === 0 ? 'none' : given.join(' and ')}`,
    );
  const kind = given[0]!;
  const body = raw[kind];
  if (!isRecord(body)) return drop(`${path}/${kind}`, `'${raw.tag}': ${kind} must be a map`);
  const allowed = kind === 'literal' ? ['value'] : ['name', 'default_value'];
  problems.push(
    ...unknownFieldProblems(body, allowed, {
      code: 'TRACING_FIELD_UNKNOWN',
      what: kind,
      at: `${path}/${kind}`,
    }),
  );
  if (kind === 'literal') {
    if (typeof body.value !== 'string' || body.value === '')
      return drop(`${path}/literal/value`, `'${raw.tag}': literal needs a non-empty string value`);
    return { tag: raw.tag, literal: { value: body.value } };
  }
  if (typeof body.name !== 'string' || body.name === '')
    return drop(`${path}/${kind}/name`, `'${raw.tag}': ${kind} needs a name`);
  if (kind === 'request_header') {
    const problem = headerNameProblem(body.name);
    if (problem) return drop(`${path}/request_header/name`, `'${raw.tag}': ${problem}`);
  }
  if (body.default_value !== undefined && typeof body.default_value !== 'string')
    return drop(`${path}/${kind}/default_value`, `'${raw.tag}': default_value must be a string`);
  const out: Record<string, unknown> = { name: body.name };
  if (typeof body.default_value === 'string' && body.default_value !== '')
    out.default_value = body.default_value;
  return { tag: raw.tag, [kind]: out };
}

/**
 * Validates one TracingService spec. Returns the config, or undefined with the
 * problems that make it unusable (plus warnings either way).
 */
export function readTracingService(
  ref: ResourceRef,
  rawSpec: unknown,
): { config?: TracingServiceConfig; problems: TracingProblem[] } {
  const problems: TracingProblem[] = [];
  if (!isRecord(rawSpec)) {
    problems.push({
      code: 'TRACING_SCHEMA_INVALID',
      path: '/spec',
      message: 'spec must be a map; the TracingService is ignored',
    });
    return { problems };
  }
  const spec = rawSpec;
  problems.push(
    ...unknownFieldProblems(spec, fieldNames, {
      code: 'TRACING_FIELD_UNKNOWN',
      what: 'TracingService',
      at: '/spec',
    }),
  );
  if (isRecord(spec.sampling)) {
    problems.push(
      ...unknownFieldProblems(spec.sampling, ['client', 'random', 'overall'], {
        code: 'TRACING_FIELD_UNKNOWN',
        what: 'sampling',
        at: '/spec/sampling',
      }),
    );
  }
  const typeError = typeProblem(spec);
  if (typeError) return { problems: [...problems, typeError] };
  if (typeof spec.service !== 'string' || spec.service.trim() === '') {
    problems.push({
      code: 'TRACING_SERVICE_MISSING',
      path: '/spec/service',
      message:
        'service is required in TracingService (e.g. service: zipkin.observability:9411); the TracingService is ignored',
    });
    return { problems };
  }
  const driver = spec.driver as TracingDriver;
  const driverConfig: Record<string, unknown> = {};
  if (isRecord(spec.config)) {
    for (const [key, value] of Object.entries(spec.config)) {
      if (driverFields[driver].includes(key)) {
        driverConfig[key] = value;
        continue;
      }
      problems.push({
        code: 'TRACING_FIELD_UNKNOWN',
        path: `/spec/config/${pointerSegment(key)}`,
        message: `driver ${driver} has no config '${key}' (it has ${driverFields[driver].join(', ')}); ignored`,
      });
    }
  }
  if (driverConfig.collector_endpoint_version === 'HTTP_JSON_V1') {
    delete driverConfig.collector_endpoint_version;
    problems.push({
      code: 'TRACING_ZIPKIN_V1_DROPPED',
      path: '/spec/config/collector_endpoint_version',
      message:
        "HTTP_JSON_V1 cannot be set in Envoy's v3 API; it is left out (as Emissary does) and Envoy sends HTTP_JSON (Zipkin v2 JSON)",
    });
  }
  const customTags: Record<string, unknown>[] = [];
  const tagHeaders = Array.isArray(spec.tag_headers) ? spec.tag_headers : [];
  tagHeaders.forEach((header, i) => {
    if (typeof header !== 'string' || header === '') {
      problems.push({
        code: 'TRACING_CUSTOM_TAG_INVALID',
        path: `/spec/tag_headers/${i}`,
        message: `tag_headers entries must be header names, got ${JSON.stringify(header)}; it is dropped`,
      });
      return;
    }
    const problem = headerNameProblem(header);
    if (problem) {
      problems.push({
        code: 'TRACING_CUSTOM_TAG_INVALID',
        path: `/spec/tag_headers/${i}`,
        message: `tag_headers: ${problem}; it is dropped`,
      });
      return;
    }
    customTags.push({ tag: header, request_header: { name: header } });
  });
  if (tagHeaders.length > 0) {
    problems.push({
      code: 'TRACING_TAG_HEADERS_AS_CUSTOM_TAGS',
      path: '/spec/tag_headers',
      message:
        'tag_headers is deprecated and Emissary 3 ignores it; Attaché tags spans with each header (a request_header custom tag named after it); move them to custom_tags',
    });
  }
  const rawTags = Array.isArray(spec.custom_tags) ? spec.custom_tags : [];
  rawTags.forEach((raw, i) => {
    const tag = readCustomTag(raw, `/spec/custom_tags/${i}`, problems);
    if (tag) customTags.push(tag);
  });
  const sampling = isRecord(spec.sampling) ? (spec.sampling as TracingServiceConfig['sampling']) : {};
  const config: TracingServiceConfig = {
    ref,
    namespace: ref.namespace ?? 'default',
    service: spec.service,
    driver,
    sampling: {
      ...(sampling.client !== undefined ? { client: sampling.client } : {}),
      ...(sampling.random !== undefined ? { random: sampling.random } : {}),
      ...(sampling.overall !== undefined ? { overall: sampling.overall } : {}),
    },
    customTags,
    driverConfig,
  };
  if (typeof spec.stats_name === 'string' && spec.stats_name !== '') config.statsName = spec.stats_name;
  return { config, problems };
}

const traceType = 'type.googleapis.com/envoy.config.trace.v3';

/** The HCM's tracing provider, per driver, with Emissary's defaults (irtracing.py / v3tracing.py). */
export function tracingProvider(config: TracingServiceConfig, cluster: string): Record<string, unknown> {
  const c = config.driverConfig;
  if (config.driver === 'zipkin') {
    const typed: Record<string, unknown> = {
      '@type': `${traceType}.ZipkinConfig`,
      collector_cluster: cluster,
      collector_endpoint: (c.collector_endpoint as string | undefined) ?? '/api/v2/spans',
      collector_endpoint_version: (c.collector_endpoint_version as string | undefined) ?? 'HTTP_JSON',
      trace_id_128bit: (c.trace_id_128bit as boolean | undefined) ?? true,
    };
    if (c.shared_span_context !== undefined) typed.shared_span_context = c.shared_span_context;
    return { name: 'envoy.tracers.zipkin', typed_config: typed };
  }
  if (config.driver === 'datadog') {
    return {
      name: 'envoy.tracers.datadog',
      typed_config: {
        '@type': `${traceType}.DatadogConfig`,
        collector_cluster: cluster,
        service_name: (c.service_name as string | undefined) ?? 'ambassador',
      },
    };
  }
  return {
    name: 'envoy.tracers.opentelemetry',
    typed_config: {
      '@type': `${traceType}.OpenTelemetryConfig`,
      grpc_service: { envoy_grpc: { cluster_name: cluster } },
      service_name: (c.service_name as string | undefined) ?? 'ambassador',
    },
  };
}

/** The HTTP connection manager's `tracing` (Emissary's V3Listener), provider included. */
export function hcmTracing(config: TracingServiceConfig, cluster: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.customTags.length > 0) out.custom_tags = config.customTags;
  if (config.sampling.client !== undefined) out.client_sampling = { value: config.sampling.client };
  if (config.sampling.random !== undefined) out.random_sampling = { value: config.sampling.random };
  if (config.sampling.overall !== undefined) out.overall_sampling = { value: config.sampling.overall };
  out.provider = tracingProvider(config, cluster);
  return out;
}
