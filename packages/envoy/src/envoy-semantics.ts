import { isIP } from 'node:net';
import {
  cipherSuiteProblem,
  ecdhCurveProblem,
  formatStringProblem,
  re2CompileError,
} from '@attache/envoy-facts';
import { uniqueDomainsKept } from './kept-domains.js';
import { protobuf } from './protobuf-runtime.js';
import { envoyRegistry } from './registry.js';
import type { ValueCheck, Walker } from './validate-walker.js';

/**
 * Checks Envoy performs when it loads a configuration, beyond the PGV rules
 * in the protos: each is a NACK we would otherwise only see from a live
 * Envoy. Keyed by field ('<message>.<field>') or by message type.
 */
export const fieldSemantics: Readonly<Record<string, ValueCheck>> = {
  // Envoy compiles every regex with RE2 and rejects what RE2 cannot parse.
  'envoy.type.matcher.v3.RegexMatcher.regex': (value, w) => {
    // One cache with the http plugin's check of the same regex (@attache/envoy-facts).
    const error = re2CompileError(value as string);
    if (error !== undefined) w.report(`is not a valid RE2 regular expression: ${error}`);
  },
  // Envoy's header parser (every headers_to_add list) refuses to touch pseudo-headers and Host.
  'envoy.config.core.v3.HeaderValue.key': (value, w) => {
    const key = value as string;
    if (key.startsWith(':') || key.toLowerCase() === 'host') {
      w.report(`names "${key}": :-prefixed or host headers may not be modified`);
    }
  },
  // ...and reads every added value as a substitution format: a "%" must start a %COMMAND% it knows, or be "%%".
  'envoy.config.core.v3.HeaderValue.value': (value, w) => {
    const problem = formatStringProblem(value as string);
    if (problem !== undefined) w.report(problem);
  },
};

type Record_ = Record<string, unknown>;
type OneofValue = { case?: string; value?: unknown };

const clusterType = { STATIC: 0, LOGICAL_DNS: 2 } as const;

function clusterChecks(message: unknown, w: Walker): void {
  const cluster = message as Record_;
  const discovery = cluster.clusterDiscoveryType as OneofValue;
  if (discovery.case !== 'type') return;
  const localities = ((cluster.loadAssignment as Record_ | undefined)?.endpoints ?? []) as Record_[];
  if (discovery.value === clusterType.LOGICAL_DNS) {
    const hosts = localities.reduce((n, l) => n + (l.lbEndpoints as unknown[]).length, 0);
    if (localities.length !== 1 || hosts !== 1) {
      w.reportAt(
        'load_assignment',
        `a LOGICAL_DNS cluster needs exactly one endpoint (one locality, one lb_endpoint), got ${hosts}`,
      );
    }
  }
  if (discovery.value === clusterType.STATIC) {
    localities.forEach((locality, i) => {
      (locality.lbEndpoints as Record_[]).forEach((lb, j) => {
        const host = lb.hostIdentifier as OneofValue;
        const address = ((host.value as Record_ | undefined)?.address as Record_ | undefined)?.address as
          | OneofValue
          | undefined;
        if (host.case !== 'endpoint' || address?.case !== 'socketAddress') return;
        const ip = (address.value as Record_).address as string;
        if (isIP(ip) === 0) {
          w.segments.push(
            'load_assignment',
            'endpoints',
            i,
            'lb_endpoints',
            j,
            'endpoint',
            'address',
            'socket_address',
          );
          w.reportAt(
            'address',
            `a STATIC cluster needs IP addresses, got "${ip}"; use STRICT_DNS for host names`,
          );
          w.segments.length -= 8;
        }
      });
    });
  }
}

// ------------------------------------------------------------------ found by serving to a real Envoy
// Each check below is a NACK Envoy 1.39.3 gave for a configuration the proto
// rules accept (tests/e2e-envoy fed it; see the tests beside this file).

/** A gRPC health check needs a cluster that speaks HTTP/2 ("cluster must support HTTP/2 for gRPC healthchecking"). */
function grpcHealthCheckProblems(cluster: Record_, w: Walker): void {
  const checks = (cluster.healthChecks ?? []) as Record_[];
  checks.forEach((check, i) => {
    if ((check.healthChecker as OneofValue | undefined)?.case !== 'grpcHealthCheck') return;
    if (clusterSpeaksHttp2(cluster)) return;
    w.segments.push('health_checks', i);
    w.reportAt(
      'grpc_health_check',
      'needs a cluster that speaks HTTP/2 to its endpoints (Envoy: "cluster must support HTTP/2 for gRPC healthchecking")',
    );
    w.segments.length -= 2;
  });
}

const httpProtocolOptionsKey = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

function clusterSpeaksHttp2(cluster: Record_): boolean {
  if (cluster.http2ProtocolOptions !== undefined) return true;
  const any = (
    cluster.typedExtensionProtocolOptions as Record<string, { typeUrl: string; value: Uint8Array }>
  )?.[httpProtocolOptionsKey];
  if (!any) return false;
  const desc = envoyRegistry.getMessage(httpProtocolOptionsKey);
  if (!desc || !any.typeUrl.endsWith(httpProtocolOptionsKey)) return false;
  const options = protobuf().fromBinary(desc, any.value) as unknown as Record_;
  return protocolOptionsSpeakHttp2(options.upstreamProtocolOptions as OneofValue | undefined);
}

function protocolOptionsSpeakHttp2(chosen: OneofValue | undefined): boolean {
  const value = chosen?.value as Record_ | undefined;
  switch (chosen?.case) {
    case 'explicitHttpConfig':
      return (value?.protocolConfig as OneofValue | undefined)?.case === 'http2ProtocolOptions';
    case 'useDownstreamProtocolConfig':
      return value?.http2ProtocolOptions !== undefined;
    case 'autoConfig':
      return true;
    default:
      return false;
  }
}

function isGrpcHealthCheckJson(check: Record_): boolean {
  return (check.grpc_health_check ?? check.grpcHealthCheck) !== undefined;
}

function clusterSpeaksHttp2Json(cluster: Record_): boolean {
  if ((cluster.http2_protocol_options ?? cluster.http2ProtocolOptions) !== undefined) return true;
  const typed = (cluster.typed_extension_protocol_options ?? cluster.typedExtensionProtocolOptions) as
    | Record<string, Record_>
    | undefined;
  const options = typed?.[httpProtocolOptionsKey];
  if (!options) return false;
  const explicit = (options.explicit_http_config ?? options.explicitHttpConfig) as Record_ | undefined;
  if (explicit) return (explicit.http2_protocol_options ?? explicit.http2ProtocolOptions) !== undefined;
  const downstream = (options.use_downstream_protocol_config ?? options.useDownstreamProtocolConfig) as
    | Record_
    | undefined;
  if (downstream) return (downstream.http2_protocol_options ?? downstream.http2ProtocolOptions) !== undefined;
  return (options.auto_config ?? options.autoConfig) !== undefined;
}

/** Envoy's HTTP health checker takes status ranges [start, end) with 100 ≤ start < end ≤ 600. */
function statusRangeProblem(start: number, end: number): string | undefined {
  if (start >= end)
    return `is an empty range: start ${start} must be below end ${end} (the end is exclusive)`;
  if (start < 100) return `starts at ${start}; HTTP statuses start at 100`;
  if (end > 600) return `ends at ${end}; the exclusive end can be at most 600`;
  return undefined;
}

function httpHealthCheckChecks(message: unknown, w: Walker): void {
  const check = message as Record_;
  for (const [field, key] of [
    ['expected_statuses', 'expectedStatuses'],
    ['retriable_statuses', 'retriableStatuses'],
  ] as const) {
    ((check[key] ?? []) as Array<{ start: bigint; end: bigint }>).forEach((range, i) => {
      const problem = statusRangeProblem(Number(range.start), Number(range.end));
      if (!problem) return;
      w.segments.push(field);
      w.reportAt(i, problem);
      w.segments.pop();
    });
  }
}

function httpHealthCheckJson(json: Record_): boolean {
  for (const key of ['expected_statuses', 'expectedStatuses', 'retriable_statuses', 'retriableStatuses']) {
    for (const range of (json[key] ?? []) as Record_[]) {
      if (statusRangeProblem(Number(range.start ?? 0), Number(range.end ?? 0)) !== undefined) return false;
    }
  }
  return true;
}

/** Envoy adds a listener only with a filter chain to serve ("no filter chains specified"): UDP and API listeners aside. */
function listenerWithoutChains(
  listener: Record_,
  chains: unknown[] | undefined,
  hasDefault: boolean,
): boolean {
  if ((chains?.length ?? 0) > 0 || hasDefault) return false;
  if (listener.apiListener !== undefined || listener.api_listener !== undefined) return false;
  const address = listener.address as Record_ | undefined;
  const socket = ((address?.address as OneofValue | undefined)?.value ?? address?.socket_address) as
    | Record_
    | undefined;
  return !(socket?.protocol === 1 || socket?.protocol === 'UDP');
}

function listenerChecks(message: unknown, w: Walker): void {
  const listener = message as Record_;
  if (
    listenerWithoutChains(
      listener,
      listener.filterChains as unknown[],
      listener.defaultFilterChain !== undefined,
    )
  )
    w.reportAt(
      'filter_chains',
      'is empty and there is no default_filter_chain: Envoy refuses a listener with nothing to serve ("no filter chains specified")',
    );
}

/** Envoy keys virtual hosts by lower-cased domain: the same domain twice in one route table is refused. */
function duplicateDomain(
  virtualHosts: Record_[],
): { host: number; domain: number; name: string } | undefined {
  const seen = new Set<string>();
  for (let h = 0; h < virtualHosts.length; h++) {
    const domains = (virtualHosts[h]!.domains ?? []) as string[];
    for (let d = 0; d < domains.length; d++) {
      const key = domains[d]!.toLowerCase();
      if (seen.has(key)) return { host: h, domain: d, name: domains[d]! };
      seen.add(key);
    }
  }
  return undefined;
}

function routeConfigurationChecks(message: unknown, w: Walker): void {
  const duplicate = duplicateDomain(((message as Record_).virtualHosts ?? []) as Record_[]);
  if (!duplicate) return;
  w.segments.push('virtual_hosts', duplicate.host, 'domains');
  w.reportAt(
    duplicate.domain,
    `repeats the domain "${duplicate.name}" (domains are compared without case); Envoy refuses the route table ("Only unique values for domains are permitted")`,
  );
  w.segments.length -= 3;
}

function tlsParametersChecks(message: unknown, w: Walker): void {
  const params = message as Record_;
  for (const [field, key, problemOf] of [
    ['cipher_suites', 'cipherSuites', cipherSuiteProblem],
    ['ecdh_curves', 'ecdhCurves', ecdhCurveProblem],
  ] as const) {
    ((params[key] ?? []) as string[]).forEach((entry, i) => {
      const problem = problemOf(entry);
      if (!problem) return;
      w.segments.push(field);
      w.reportAt(i, problem);
      w.segments.pop();
    });
  }
}

function tlsParametersJson(json: Record_): boolean {
  const ciphers = (json.cipher_suites ?? json.cipherSuites ?? []) as unknown[];
  const curves = (json.ecdh_curves ?? json.ecdhCurves ?? []) as unknown[];
  return (
    ciphers.every((c) => typeof c !== 'string' || cipherSuiteProblem(c) === undefined) &&
    curves.every((c) => typeof c !== 'string' || ecdhCurveProblem(c) === undefined)
  );
}

/** Every string a SubstitutionFormatString formats (text, inline text source, json leaves), with its path. */
function formatStrings(
  format: OneofValue | undefined,
): Array<{ path: Array<string | number>; text: string }> {
  switch (format?.case) {
    case 'textFormat':
      return [{ path: ['text_format'], text: format.value as string }];
    case 'textFormatSource': {
      const source = (format.value as Record_ | undefined)?.specifier as OneofValue | undefined;
      return source?.case === 'inlineString'
        ? [{ path: ['text_format_source', 'inline_string'], text: source.value as string }]
        : [];
    }
    case 'jsonFormat':
      return structStrings(format.value, ['json_format']);
    default:
      return [];
  }
}

/** String leaves of a google.protobuf.Struct, as a decoded message (fields/kind) or as plain JSON. */
function structStrings(
  value: unknown,
  path: Array<string | number>,
): Array<{ path: Array<string | number>; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record_;
  if ('kind' in record) return structStrings((record.kind as OneofValue).value, path);
  if ('fields' in record && typeof record.fields === 'object') {
    return Object.entries(record.fields as Record_).flatMap(([k, v]) => structStrings(v, [...path, k]));
  }
  if ('values' in record && Array.isArray(record.values)) {
    return (record.values as unknown[]).flatMap((v, i) => structStrings(v, [...path, i]));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => structStrings(v, [...path, i]));
  return Object.entries(record).flatMap(([k, v]) => structStrings(v, [...path, k]));
}

function substitutionFormatChecks(message: unknown, w: Walker): void {
  for (const { path, text } of formatStrings((message as Record_).format as OneofValue | undefined)) {
    const problem = formatStringProblem(text);
    if (!problem) continue;
    w.segments.push(...path.slice(0, -1));
    w.reportAt(path.at(-1)!, problem);
    w.segments.length -= path.length - 1;
  }
}

function substitutionFormatJson(json: Record_): boolean {
  const texts: unknown[] = [json.text_format ?? json.textFormat];
  const source = (json.text_format_source ?? json.textFormatSource) as Record_ | undefined;
  texts.push(source?.inline_string ?? source?.inlineString);
  texts.push(...structStrings(json.json_format ?? json.jsonFormat, []).map((s) => s.text));
  return texts.every((t) => typeof t !== 'string' || formatStringProblem(t) === undefined);
}

/** An EDS resource's endpoints: Envoy resolves nothing there and refuses a non-IP address ("malformed IP address"). */
function endpointAddresses(
  assignment: Record_,
  message: boolean,
): Array<{ path: Array<string | number>; address: string }> {
  const out: Array<{ path: Array<string | number>; address: string }> = [];
  const localities = (assignment.endpoints ?? []) as Record_[];
  localities.forEach((locality, i) => {
    const lbs = (message ? locality.lbEndpoints : (locality.lb_endpoints ?? locality.lbEndpoints)) as
      | Record_[]
      | undefined;
    (lbs ?? []).forEach((lb, j) => {
      let socket: Record_ | undefined;
      if (message) {
        const host = lb.hostIdentifier as OneofValue;
        if (host?.case !== 'endpoint') return;
        const address = ((host.value as Record_ | undefined)?.address as Record_ | undefined)?.address as
          | OneofValue
          | undefined;
        if (address?.case !== 'socketAddress') return;
        socket = address.value as Record_;
      } else {
        const address = (lb.endpoint as Record_ | undefined)?.address as Record_ | undefined;
        socket = (address?.socket_address ?? address?.socketAddress) as Record_ | undefined;
      }
      if (!socket || socket.resolverName || socket.resolver_name) return;
      out.push({
        path: ['endpoints', i, 'lb_endpoints', j, 'endpoint', 'address', 'socket_address', 'address'],
        address: String(socket.address ?? ''),
      });
    });
  });
  return out;
}

function clusterLoadAssignmentChecks(message: unknown, w: Walker): void {
  // Only an EDS resource: a cluster's own load_assignment (STRICT_DNS) holds host names by design.
  if (w.segments.length > 0) return;
  for (const { path, address } of endpointAddresses(message as Record_, true)) {
    if (isIP(address) !== 0) continue;
    w.segments.push(...path.slice(0, -1));
    w.reportAt(
      path.at(-1)!,
      `is "${address}", not an IP address: Envoy refuses the endpoint update ("malformed IP address")`,
    );
    w.segments.length -= path.length - 1;
  }
}

/** Envoy joins alpn_protocols with "," and refuses a protocol longer than 255 bytes ("Invalid ALPN protocol string"). */
function alpnProblem(entry: string): string | undefined {
  const long = entry.split(',').find((p) => Buffer.byteLength(p) > 255);
  return long === undefined
    ? undefined
    : `has a protocol of ${Buffer.byteLength(long)} bytes; ALPN protocol names are at most 255 bytes`;
}

function commonTlsContextChecks(message: unknown, w: Walker): void {
  ((message as Record_).alpnProtocols as string[] | undefined)?.forEach((entry, i) => {
    const problem = alpnProblem(entry);
    if (!problem) return;
    w.segments.push('alpn_protocols');
    w.reportAt(i, problem);
    w.segments.pop();
  });
}

export const messageSemantics: Readonly<Record<string, (message: unknown, walker: Walker) => void>> = {
  'envoy.config.cluster.v3.Cluster': (message, w) => {
    clusterChecks(message, w);
    grpcHealthCheckProblems(message as Record_, w);
  },
  'envoy.config.core.v3.HealthCheck.HttpHealthCheck': httpHealthCheckChecks,
  'envoy.config.listener.v3.Listener': listenerChecks,
  'envoy.config.route.v3.RouteConfiguration': routeConfigurationChecks,
  'envoy.extensions.transport_sockets.tls.v3.TlsParameters': tlsParametersChecks,
  'envoy.config.core.v3.SubstitutionFormatString': substitutionFormatChecks,
  'envoy.config.endpoint.v3.ClusterLoadAssignment': clusterLoadAssignmentChecks,
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext': commonTlsContextChecks,
};

/**
 * The same checks over proto3-JSON, for the fast acceptance path: true when
 * the message certainly passes (false sends it to the authoritative path).
 */
export const messageSemanticsJson: Readonly<Record<string, (json: Record<string, unknown>) => boolean>> = {
  'envoy.config.core.v3.HealthCheck.HttpHealthCheck': httpHealthCheckJson,
  'envoy.config.listener.v3.Listener': (json) =>
    !listenerWithoutChains(
      json,
      (json.filter_chains ?? json.filterChains) as unknown[] | undefined,
      (json.default_filter_chain ?? json.defaultFilterChain) !== undefined,
    ),
  // (The same check as duplicateDomain, counted from the last table of the name under an incremental compiler.)
  'envoy.config.route.v3.RouteConfiguration': (json) =>
    uniqueDomainsKept((json.virtual_hosts ?? json.virtualHosts ?? []) as Record_[], json.name),
  'envoy.extensions.transport_sockets.tls.v3.TlsParameters': tlsParametersJson,
  'envoy.config.core.v3.SubstitutionFormatString': substitutionFormatJson,
  // A top-level resource carries '@type'; a cluster's own load_assignment does not (and may hold host names).
  'envoy.config.endpoint.v3.ClusterLoadAssignment': (json) =>
    json['@type'] === undefined || endpointAddresses(json, false).every((e) => isIP(e.address) !== 0),
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext': (json) =>
    ((json.alpn_protocols ?? json.alpnProtocols ?? []) as unknown[]).every(
      (entry) => typeof entry !== 'string' || alpnProblem(entry) === undefined,
    ),
  'envoy.config.cluster.v3.Cluster': (json) => {
    // (Judged for every cluster: nothing is made unless it has health checks or is LOGICAL_DNS or STATIC.)
    const checks = (json.health_checks ?? json.healthChecks) as Record_[] | null | undefined;
    if (checks?.some(isGrpcHealthCheckJson) && !clusterSpeaksHttp2Json(json)) return false;
    const type = json.type;
    if (type === undefined || type === null) return true;
    if (
      type !== 'LOGICAL_DNS' &&
      type !== clusterType.LOGICAL_DNS &&
      type !== 'STATIC' &&
      type !== clusterType.STATIC
    )
      return true;
    const assignment = (json.load_assignment ?? json.loadAssignment) as Record_ | undefined;
    const localities = ((assignment?.endpoints ?? []) as Record_[]) ?? [];
    if (type === 'LOGICAL_DNS' || type === clusterType.LOGICAL_DNS) {
      const only = localities[0];
      const hosts = (only?.lb_endpoints ?? only?.lbEndpoints) as unknown[] | undefined;
      return localities.length === 1 && hosts?.length === 1;
    }
    if (type === 'STATIC' || type === clusterType.STATIC) {
      for (const locality of localities) {
        for (const lb of ((locality.lb_endpoints ?? locality.lbEndpoints ?? []) as Record_[]) ?? []) {
          const address = ((lb.endpoint as Record_ | undefined)?.address as Record_ | undefined) ?? {};
          const socket = (address.socket_address ?? address.socketAddress) as Record_ | undefined;
          if (socket && isIP(String(socket.address)) === 0) return false;
        }
      }
    }
    return true;
  },
};
