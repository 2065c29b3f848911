import { AmbassadorIdField, pointerSegment, type ResourceRef, unknownFieldProblems } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import type { LoggingDiagnosticCode } from './codes.js';
import { headerNameProblem } from './header-name.js';

const AdditionalLogHeader = Type.Object(
  {
    header_name: Type.String({ minLength: 1, description: 'The header to log (case-insensitive).' }),
    during_request: Type.Optional(Type.Boolean({ description: 'Log it from the request (default true).' })),
    during_response: Type.Optional(Type.Boolean({ description: 'Log it from the response (default true).' })),
    during_trailer: Type.Optional(
      Type.Boolean({ description: 'Log it from the response trailers (default true).' }),
    ),
  },
  { description: 'A header each log entry carries (driver http only).' },
);

/** getambassador.io/v3alpha1 LogService `spec` (v2's spelling of stats_name is converted first). */
export const LogServiceSpec = Type.Object(
  {
    ambassador_id: AmbassadorIdField,
    service: Type.String({
      minLength: 1,
      description:
        'The access log service (envoy.service.accesslog.v3.AccessLogService): [scheme://]host[:port], resolved like a Mapping service.',
    }),
    driver: Type.Union([Type.Literal('tcp'), Type.Literal('http')], {
      description:
        'http: one entry per HTTP request (HTTPAccessLogEntry, with additional headers); tcp: one entry per connection (TCPAccessLogEntry).',
    }),
    driver_config: Type.Optional(
      Type.Object(
        {
          additional_log_headers: Type.Optional(
            Type.Array(AdditionalLogHeader, { description: 'Headers each entry carries (driver http).' }),
          ),
        },
        { description: 'Driver settings.' },
      ),
    ),
    flush_interval_time: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Seconds between flushes of the log buffer (default 1).',
      }),
    ),
    flush_interval_byte_size: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4294967295,
        description: 'Buffer size in bytes that triggers a flush (default 16384).',
      }),
    ),
    grpc: Type.Optional(
      Type.Boolean({
        description:
          'Speak gRPC (HTTP/2) to the service. Attaché always does, since the access log service is gRPC.',
      }),
    ),
    protocol_version: Type.Optional(
      Type.Union([Type.Literal('v3'), Type.Literal('v2')], {
        description: 'Must be v3 (v2, Emissary’s default, is refused as Emissary 3 does).',
      }),
    ),
    stats_name: Type.Optional(Type.String({ description: "The service cluster's alt_stat_name." })),
    v2ExplicitTLS: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Emissary v2 round-trip data; ignored.' }),
    ),
  },
  { description: "Emissary LogService: Envoy's gRPC access log service for every request or connection." },
);
export type LogServiceSpec = Static<typeof LogServiceSpec>;

const fieldNames = Object.keys(LogServiceSpec.properties);
const headerFields = Object.keys(AdditionalLogHeader.properties);

/** Longest buffer_flush_interval we write: Envoy's Duration limit is 315,576,000,000 s. */
export const maxFlushSeconds = 315_576_000_000;

export interface LogServiceProblem {
  code: LoggingDiagnosticCode;
  path: string;
  message: string;
}

/** A LogService as the plugin uses it. */
export interface LogServiceConfig {
  ref: ResourceRef;
  namespace: string;
  service: string;
  driver: 'http' | 'tcp';
  flushSeconds: number;
  flushBytes: number;
  grpc: boolean;
  statsName?: string;
  requestHeaders: string[];
  responseHeaders: string[];
  trailerHeaders: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** getambassador.io/v2 spells stats_name v3StatsName. */
function convertV2(spec: Record<string, unknown>): Record<string, unknown> {
  if (!('v3StatsName' in spec)) return spec;
  const out: Record<string, unknown> = { ...spec };
  out.stats_name ??= out.v3StatsName;
  delete out.v3StatsName;
  return out;
}

function typeProblem(spec: Record<string, unknown>): LogServiceProblem | undefined {
  const bad = (field: string, message: string): LogServiceProblem => ({
    code: 'LOGSERVICE_SCHEMA_INVALID',
    path: `/spec/${field}`,
    message: `${field} ${message}; the LogService is ignored`,
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
  if (spec.driver === undefined) return bad('driver', 'is required: tcp or http');
  if (spec.driver !== 'tcp' && spec.driver !== 'http')
    return bad('driver', `must be tcp or http, got ${JSON.stringify(spec.driver)}`);
  const time = spec.flush_interval_time;
  if (
    time !== undefined &&
    !(typeof time === 'number' && Number.isInteger(time) && time >= 1 && time <= maxFlushSeconds)
  )
    return bad(
      'flush_interval_time',
      `must be a whole number of seconds from 1 to ${maxFlushSeconds} (Envoy refuses 0), got ${JSON.stringify(time)}`,
    );
  const size = spec.flush_interval_byte_size;
  if (
    size !== undefined &&
    !(typeof size === 'number' && Number.isInteger(size) && size >= 0 && size <= 4294967295)
  )
    return bad(
      'flush_interval_byte_size',
      `must be a whole number of bytes from 0 to 4294967295, got ${JSON.stringify(size)}`,
    );
  if (spec.grpc !== undefined && typeof spec.grpc !== 'boolean') return bad('grpc', 'must be true or false');
  const pv = spec.protocol_version;
  if (pv !== undefined && pv !== 'v2' && pv !== 'v3')
    return bad('protocol_version', `must be v3, got ${JSON.stringify(pv)}`);
  if (spec.driver_config !== undefined && spec.driver_config !== null && !isRecord(spec.driver_config))
    return bad('driver_config', 'must be a map ({additional_log_headers: [...]})');
  const headers = isRecord(spec.driver_config) ? spec.driver_config.additional_log_headers : undefined;
  if (headers !== undefined && headers !== null && !Array.isArray(headers))
    return bad('driver_config/additional_log_headers', 'must be a list of {header_name, during_request, …}');
  return undefined;
}

interface HeaderLists {
  request: string[];
  response: string[];
  trailer: string[];
}

/** The additional_log_headers as three lists; invalid entries are dropped with a problem each. */
function readHeaders(raw: unknown[], problems: LogServiceProblem[]): HeaderLists {
  const lists: HeaderLists = { request: [], response: [], trailer: [] };
  raw.forEach((entry, i) => {
    const path = `/spec/driver_config/additional_log_headers/${i}`;
    if (!isRecord(entry)) {
      problems.push({
        code: 'LOGSERVICE_HEADER_INVALID',
        path,
        message: 'an additional_log_headers entry must be a map {header_name: …}; it is dropped',
      });
      return;
    }
    for (const key of Object.keys(entry)) {
      if (headerFields.includes(key)) continue;
      problems.push({
        code: 'LOGSERVICE_FIELD_UNKNOWN',
        path: `${path}/${pointerSegment(key)}`,
        message: `additional_log_headers entries have no field '${key}' (they have ${headerFields.join(', ')}); ignored`,
      });
    }
    const name = entry.header_name;
    const problem = typeof name === 'string' ? headerNameProblem(name) : 'no header_name';
    if (problem !== undefined) {
      problems.push({
        code: 'LOGSERVICE_HEADER_INVALID',
        path: `${path}/header_name`,
        message: `additional_log_headers entry: ${problem}; it is dropped (set header_name to the header to log)`,
      });
      return;
    }
    for (const flag of ['during_request', 'during_response', 'during_trailer'] as const) {
      if (entry[flag] !== undefined && typeof entry[flag] !== 'boolean') {
        problems.push({
          code: 'LOGSERVICE_HEADER_INVALID',
          path: `${path}/${flag}`,
          message: `${flag} must be true or false; this entry is dropped`,
        });
        return;
      }
    }
    const header = (name as string).toLowerCase();
    if (entry.during_request !== false) lists.request.push(header);
    if (entry.during_response !== false) lists.response.push(header);
    if (entry.during_trailer !== false) lists.trailer.push(header);
  });
  return lists;
}

/**
 * Validates one LogService spec. Returns the config, or undefined with the
 * problems that make it unusable (plus warnings either way).
 */
export function readLogService(
  ref: ResourceRef,
  rawSpec: unknown,
): { config?: LogServiceConfig; problems: LogServiceProblem[] } {
  const problems: LogServiceProblem[] = [];
  if (!isRecord(rawSpec)) {
    problems.push({
      code: 'LOGSERVICE_SCHEMA_INVALID',
      path: '/spec',
      message: 'spec must be a map; the LogService is ignored',
    });
    return { problems };
  }
  const spec = /^getambassador\.io\/v[12]$/.test(ref.apiVersion) ? convertV2(rawSpec) : rawSpec;
  problems.push(
    ...unknownFieldProblems(spec, fieldNames, {
      code: 'LOGSERVICE_FIELD_UNKNOWN',
      what: 'LogService',
      at: '/spec',
    }),
  );
  if (isRecord(spec.driver_config)) {
    problems.push(
      ...unknownFieldProblems(spec.driver_config, ['additional_log_headers'], {
        code: 'LOGSERVICE_FIELD_UNKNOWN',
        what: 'driver_config',
        at: '/spec/driver_config',
      }),
    );
  }
  const typeError = typeProblem(spec);
  if (typeError) return { problems: [...problems, typeError] };
  if (typeof spec.service !== 'string' || spec.service.trim() === '') {
    problems.push({
      code: 'LOGSERVICE_SERVICE_MISSING',
      path: '/spec/service',
      message:
        'service is required in LogService (e.g. service: als.logging:9001); the LogService is ignored',
    });
    return { problems };
  }
  if (spec.protocol_version !== 'v3') {
    problems.push({
      code: 'LOGSERVICE_PROTOCOL_UNSUPPORTED',
      path: '/spec/protocol_version',
      message: `LogService: protocol_version ${(spec.protocol_version as string | undefined) ?? 'v2 (the default)'} is unsupported, protocol_version must be "v3"; the LogService is ignored`,
    });
    return { problems };
  }
  const driver = spec.driver as 'http' | 'tcp';
  const rawHeaders = isRecord(spec.driver_config) ? spec.driver_config.additional_log_headers : undefined;
  const headerList = Array.isArray(rawHeaders) ? rawHeaders : [];
  if (driver === 'tcp' && headerList.length > 0) {
    problems.push({
      code: 'LOGSERVICE_HEADERS_NEED_HTTP_DRIVER',
      path: '/spec/driver_config/additional_log_headers',
      message:
        'additional_log_headers are not supported with driver tcp (a TCP log entry has no headers); the LogService is ignored, as in Emissary: use driver: http or drop the headers',
    });
    return { problems };
  }
  const headers = readHeaders(headerList, problems);
  if (spec.grpc !== true) {
    problems.push({
      code: 'LOGSERVICE_NOT_GRPC',
      path: '/spec/grpc',
      message:
        "grpc is not true: Emissary would give the log cluster no HTTP/2 and Envoy's gRPC access log would never arrive; Attaché speaks HTTP/2 (gRPC) to the service anyway. Set grpc: true",
    });
  }
  const config: LogServiceConfig = {
    ref,
    namespace: ref.namespace ?? 'default',
    service: spec.service,
    driver,
    flushSeconds: (spec.flush_interval_time as number | undefined) ?? 1,
    flushBytes: (spec.flush_interval_byte_size as number | undefined) ?? 16384,
    grpc: spec.grpc === true,
    requestHeaders: headers.request,
    responseHeaders: headers.response,
    trailerHeaders: headers.trailer,
  };
  if (typeof spec.stats_name === 'string' && spec.stats_name !== '') config.statsName = spec.stats_name;
  return { config, problems };
}

/** Emissary's CommonGrpcAccessLogConfig (IRLogService.get_common_config). */
export function commonConfig(config: LogServiceConfig, clusterName: string): Record<string, unknown> {
  return {
    log_name: 'logservice',
    transport_api_version: 'V3',
    grpc_service: { envoy_grpc: { cluster_name: clusterName } },
    buffer_flush_interval: `${config.flushSeconds}s`,
    buffer_size_bytes: config.flushBytes,
  };
}

const grpcType = 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3';

/** The HTTP connection managers' logger: http_grpc with the header lists (driver http), else tcp_grpc. */
export function httpLogger(config: LogServiceConfig, clusterName: string) {
  if (config.driver === 'tcp') return tcpLogger(config, clusterName);
  const typedConfig: Record<string, unknown> = {
    '@type': `${grpcType}.HttpGrpcAccessLogConfig`,
    common_config: commonConfig(config, clusterName),
  };
  if (config.requestHeaders.length > 0) typedConfig.additional_request_headers_to_log = config.requestHeaders;
  if (config.responseHeaders.length > 0)
    typedConfig.additional_response_headers_to_log = config.responseHeaders;
  if (config.trailerHeaders.length > 0)
    typedConfig.additional_response_trailers_to_log = config.trailerHeaders;
  return { name: 'envoy.access_loggers.http_grpc', typedConfig };
}

/** The tcp_proxy filters' logger: tcp_grpc, whatever the driver (a TCP connection has no HTTP entry). */
export function tcpLogger(config: LogServiceConfig, clusterName: string) {
  return {
    name: 'envoy.access_loggers.tcp_grpc',
    typedConfig: {
      '@type': `${grpcType}.TcpGrpcAccessLogConfig`,
      common_config: commonConfig(config, clusterName),
    },
  };
}
