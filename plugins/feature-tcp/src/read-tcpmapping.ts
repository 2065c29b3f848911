import { isIP } from 'node:net';
import { type IRCircuitBreaker, type ResourceRef, unknownFieldProblems } from '@attache/core';
import { Value } from '@sinclair/typebox/value';
import type { TcpDiagnosticCode } from './codes.js';
import { TcpMappingSpec, tcpMappingFieldNames } from './schema.js';

/** A problem with one TCPMapping, reported by the ingest pass. */
export interface TcpProblem {
  code: TcpDiagnosticCode;
  path: string;
  message: string;
}

/** A valid TCPMapping as the plugin uses it. */
export interface TcpMappingConfig {
  ref: ResourceRef;
  namespace: string;
  name: string;
  port: number;
  /** Bind address; '0.0.0.0' unless set. */
  address: string;
  /** Lower-case SNI name ('*' matches any TLS connection); absent: every connection. */
  host?: string;
  service: string;
  /** TLS origination: a TLSContext name or true. */
  tls?: string | true;
  weight?: number;
  circuitBreakers?: IRCircuitBreaker[];
  idleTimeoutMs?: number;
  resolver?: string;
  enableIpv4?: boolean;
  enableIpv6?: boolean;
  clusterTag?: string;
  statsName?: string;
}

/** The longest idle timeout Envoy takes (its durations stop below 9223372036 s). */
const maxIdleTimeoutMs = 9_223_372_035_000;

/** An SNI name Envoy's server_names can match: a DNS name, optionally "*." first, or "*". */
const sniName = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** getambassador.io/v2 spells stats_name v3StatsName. */
function convertV2(spec: Record<string, unknown>): Record<string, unknown> {
  if (!('v3StatsName' in spec)) return spec;
  const out = { ...spec };
  out.stats_name ??= out.v3StatsName;
  delete out.v3StatsName;
  return out;
}

/**
 * Validates one TCPMapping spec (v2 or v3alpha1). Returns the config, or no
 * config with the problems that make it unusable (plus warnings either way).
 */
export function readTcpMapping(
  ref: ResourceRef,
  rawSpec: unknown,
): { config?: TcpMappingConfig; problems: TcpProblem[] } {
  const problems: TcpProblem[] = [];
  if (!isRecord(rawSpec)) {
    problems.push({
      code: 'TCPMAPPING_SCHEMA_INVALID',
      path: '/spec',
      message: 'spec must be an object with at least port and service; the TCPMapping is ignored',
    });
    return { problems };
  }
  const spec = /^getambassador\.io\/v[12]$/.test(ref.apiVersion) ? convertV2(rawSpec) : rawSpec;
  problems.push(
    ...unknownFieldProblems(spec, tcpMappingFieldNames, {
      code: 'TCPMAPPING_FIELD_UNKNOWN',
      what: 'TCPMapping',
      at: '/spec',
    }),
  );
  if (spec.port === undefined) {
    problems.push({
      code: 'TCPMAPPING_PORT_MISSING',
      path: '/spec/port',
      message: 'port is required (the port to listen on, e.g. port: 5432); the TCPMapping is ignored',
    });
    return { problems };
  }
  if (typeof spec.service !== 'string' || spec.service.trim() === '') {
    problems.push({
      code: 'TCPMAPPING_SERVICE_MISSING',
      path: '/spec/service',
      message:
        'service is required (the upstream, e.g. service: postgres.db:5432); the TCPMapping is ignored',
    });
    return { problems };
  }
  const known: Record<string, unknown> = {};
  for (const key of tcpMappingFieldNames) if (key in spec) known[key] = spec[key];
  const error = Value.Errors(TcpMappingSpec, known).First();
  if (error) {
    const field = error.path.split('/')[1] ?? '';
    problems.push({
      code: 'TCPMAPPING_SCHEMA_INVALID',
      path: `/spec${error.path}`,
      message: `${error.path.slice(1).replace(/\//g, '.') || 'spec'}: ${error.message}${field ? ` (${fieldHint(field)})` : ''}; the TCPMapping is ignored`,
    });
    return { problems };
  }
  const s = known as TcpMappingSpec;
  const config: TcpMappingConfig = {
    ref,
    namespace: ref.namespace ?? 'default',
    name: ref.name,
    port: s.port,
    address: s.address ?? '0.0.0.0',
    service: s.service.trim(),
  };
  if (s.address !== undefined && isIP(s.address) === 0) {
    problems.push({
      code: 'TCPMAPPING_ADDRESS_INVALID',
      path: '/spec/address',
      message: `address '${s.address}' is not an IP address to listen on; write e.g. 0.0.0.0, 127.0.0.1 or ::; the TCPMapping is ignored`,
    });
    return { problems };
  }
  if (s.host !== undefined && s.host !== '') {
    const host = s.host.toLowerCase();
    if (host !== '*' && (host.length > 253 || !sniName.test(host))) {
      problems.push({
        code: 'TCPMAPPING_HOST_INVALID',
        path: '/spec/host',
        message: `host '${s.host}' is not an SNI name Envoy can match: write a DNS name (db.example.com) or a leading wildcard (*.example.com), without a port; the TCPMapping is ignored`,
      });
      return { problems };
    }
    config.host = host;
  }
  if (typeof s.tls === 'string' && s.tls !== '') config.tls = s.tls;
  else if (s.tls === true) config.tls = true;
  if (s.weight !== undefined) config.weight = s.weight;
  if (s.circuit_breakers?.length) {
    config.circuitBreakers = s.circuit_breakers.map((b) => {
      const cb: IRCircuitBreaker = { priority: b.priority === 'high' ? 'HIGH' : 'DEFAULT' };
      if (b.max_connections !== undefined) cb.maxConnections = b.max_connections;
      if (b.max_pending_requests !== undefined) cb.maxPendingRequests = b.max_pending_requests;
      if (b.max_requests !== undefined) cb.maxRequests = b.max_requests;
      if (b.max_retries !== undefined) cb.maxRetries = b.max_retries;
      return cb;
    });
  }
  if (s.idle_timeout_ms !== undefined) {
    const ms = Number(s.idle_timeout_ms);
    // Envoy refuses durations of 9223372036 s or more.
    if (!Number.isSafeInteger(ms) || ms > maxIdleTimeoutMs) {
      problems.push({
        code: 'TCPMAPPING_SCHEMA_INVALID',
        path: '/spec/idle_timeout_ms',
        message: `idle_timeout_ms ${JSON.stringify(s.idle_timeout_ms)} is too large for Envoy; use at most ${maxIdleTimeoutMs} (0 turns the timeout off); the TCPMapping is ignored`,
      });
      return { problems };
    }
    config.idleTimeoutMs = ms;
  }
  if (s.resolver) config.resolver = s.resolver;
  if (s.enable_ipv4 !== undefined) config.enableIpv4 = s.enable_ipv4;
  if (s.enable_ipv6 !== undefined) config.enableIpv6 = s.enable_ipv6;
  if (s.cluster_tag) config.clusterTag = s.cluster_tag;
  if (s.stats_name) config.statsName = s.stats_name;
  return { config, problems };
}

function fieldHint(field: string): string {
  const schema = (TcpMappingSpec.properties as Record<string, { description?: string }>)[field];
  return schema?.description ? `${field}: ${schema.description}` : field;
}
