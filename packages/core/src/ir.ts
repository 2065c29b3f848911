import type { ResourceRef } from './resource.js';

/**
 * The intermediate representation: Envoy-shaped but semantic, plain data
 * (JSON-dumpable), every element carrying the input refs that produced it.
 *
 * Collections are records keyed by a stable name, never arrays indexed by
 * position, so removing one input never renames the others' elements
 * (Emissary issue #4629). Lowering sorts everything it emits.
 */
export interface Provenanced {
  /** The input resources behind this element (sorted, deduplicated by the compiler). */
  provenance: ResourceRef[];
}

export interface IR {
  listeners: Record<string, IRListener>;
  routeConfigs: Record<string, IRRouteConfig>;
  clusters: Record<string, IRCluster>;
  /** Endpoint sets for EDS clusters, keyed by the cluster's `edsServiceName`. */
  endpoints: Record<string, IREndpoints>;
  secrets: Record<string, IRSecret>;
  /**
   * RE2 program-size limit carried by every regex matcher (Envoy's
   * `google_re2.max_program_size`); absent means Envoy's runtime default (100).
   * Emissary sets 200 unless its Module's `regex_max_size` says otherwise.
   */
  regexMaxProgramSize?: number;
  /**
   * Access loggers that every HTTP connection manager (`on: 'http'`) or every
   * `tcp_proxy` filter (`on: 'tcp'`) writes to, whichever plugin made the
   * chain — e.g. a LogService's gRPC access log. Keyed by a stable name;
   * lowering puts them, sorted by key, before the connection manager's own
   * `accessLog` (Emissary's order). Add with `addAccessLogger`.
   */
  accessLoggers?: Record<string, IRAccessLogger>;
  /**
   * Plugin-owned facts shared through extension points (e.g. the HTTP model
   * publishes which Mapping became which route for the auth and rate-limit
   * plugins). Keys are '<plugin-id>.<name>'; read and write them through typed
   * `ExtPoint`s (`readExt`, `writeExt`, `HttpModelExt`).
   */
  ext: Record<string, unknown>;
}

export function emptyIR(): IR {
  return { listeners: {}, routeConfigs: {}, clusters: {}, endpoints: {}, secrets: {}, ext: {} };
}

// ---------------------------------------------------------------- listeners

export interface IRListener extends Provenanced {
  name: string;
  address: string;
  port: number;
  /** Listener filters, in order. */
  listenerFilters: Array<'proxy_protocol' | 'tls_inspector'>;
  filterChains: IRFilterChain[];
  /** Chain used when no filter chain matches (e.g. cleartext on a mixed listener). */
  defaultFilterChain?: IRFilterChain;
  statsPrefix?: string;
  perConnectionBufferLimitBytes?: number;
  /** Envoy's traffic_direction (absent: UNSPECIFIED); OUTBOUND makes request spans egress spans, as Emissary traces. */
  trafficDirection?: 'INBOUND' | 'OUTBOUND';
}

export interface IRFilterChainMatch {
  serverNames?: string[];
  transportProtocol?: 'tls' | 'raw_buffer';
  applicationProtocols?: string[];
}

export type IRFilterChain = IRHttpFilterChain | IRTcpFilterChain;

interface IRFilterChainBase extends Provenanced {
  name: string;
  match: IRFilterChainMatch;
  /** Terminate TLS with this context; absent for cleartext or passthrough. */
  tls?: IRDownstreamTls;
}

export interface IRHttpFilterChain extends IRFilterChainBase {
  kind: 'http';
  /** Name of an entry in IR.routeConfigs, served over RDS (ADS) or inlined (static). */
  routeConfigName: string;
  http: IRHttpConnectionManager;
}

export interface IRTcpFilterChain extends IRFilterChainBase {
  kind: 'tcp';
  statPrefix: string;
  /** Weighted clusters or one cluster. */
  clusters: IRWeightedCluster[];
  idleTimeoutMs?: number;
}

export interface IRHttpConnectionManager {
  statPrefix: string;
  /** HTTP filters by slot name (see @attache/envoy's slot table); `router` is added by lowering. */
  filters: IRHttpFilter[];
  useRemoteAddress?: boolean;
  xffNumTrustedHops?: number;
  serverName?: string;
  serverHeaderTransformation?: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  idleTimeoutMs?: number;
  requestTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
  maxRequestHeadersKb?: number;
  normalizePath?: boolean;
  mergeSlashes?: boolean;
  stripMatchingHostPort?: boolean;
  preserveExternalRequestId?: boolean;
  generateRequestId?: boolean;
  acceptHttp10?: boolean;
  defaultHostForHttp10?: string;
  http2MaxConcurrentStreams?: number;
  headersWithUnderscoresAction?: 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
  forwardClientCertDetails?: string;
  setCurrentClientCertDetails?: Record<string, boolean>;
  upgradeTypes?: string[];
  /** Whether the router should emit x-envoy-* headers. */
  suppressEnvoyHeaders?: boolean;
  /** Whether the router starts a child span for each upstream call (tracing). */
  startChildSpan?: boolean;
  /** Request tracing (a TracingService): the connection manager's `tracing`, provider included. */
  tracing?: IRTracing;
  /**
   * The connection manager's own access logs. `defaultFields`: a JSON log with
   * Emissary's default fields (no format was set), which a feature may extend
   * (Emissary adds Datadog's trace ids when it traces with Datadog).
   */
  accessLog?: Array<{
    path: string;
    format?: string;
    json?: Record<string, string>;
    defaultFields?: boolean;
  }>;
  /** Extra HCM fields as proto3-JSON, for plugins; validated strictly like the rest. */
  extra?: Record<string, unknown>;
}

/** An HTTP connection manager's tracing settings, with the resources behind them. */
export interface IRTracing extends Provenanced {
  /** proto3-JSON of envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing. */
  config: Record<string, unknown>;
}

/** An access logger for every connection manager or tcp_proxy (see `IR.accessLoggers`). */
export interface IRAccessLogger extends Provenanced {
  /** Which filters log to it: HTTP connection managers or tcp_proxy filters. */
  on: 'http' | 'tcp';
  /** Envoy access logger name, e.g. 'envoy.access_loggers.http_grpc'. */
  name: string;
  /** proto3-JSON of the logger config with its '@type'. */
  typedConfig: Record<string, unknown>;
}

/**
 * Adds an access logger for every HTTP connection manager or tcp_proxy under
 * a stable key (replacing the record, never editing it in place). A pass that
 * calls it declares `writes: ['ir.accessLoggers']`.
 */
export function addAccessLogger(ir: IR, key: string, logger: IRAccessLogger): void {
  ir.accessLoggers = { ...ir.accessLoggers, [key]: logger };
}

export interface IRHttpFilter extends Provenanced {
  /** Slot in the envoy package's ordered slot table, e.g. 'cors', 'ext_authz'. */
  slot: string;
  /** Envoy filter name, e.g. 'envoy.filters.http.ext_authz'. */
  name: string;
  /** proto3-JSON of the filter config with its '@type'. */
  typedConfig: Record<string, unknown>;
  /** Tie-break when a slot holds several filters (e.g. two Lua filters). */
  order?: number;
  /**
   * Off unless a route or virtual host enables it with a per-filter config
   * (`{ '@type': …config.route.v3.FilterConfig, disabled: false, config }`):
   * e.g. an AuthService chosen per Host or per Mapping.
   */
  disabled?: boolean;
}

export interface IRDownstreamTls {
  /** Names of IR.secrets entries. */
  certificateSecret?: string;
  caSecret?: string;
  requireClientCertificate?: boolean;
  alpnProtocols?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  cipherSuites?: string[];
  ecdhCurves?: string[];
}

export type TlsVersion = 'TLS_AUTO' | 'TLSv1_0' | 'TLSv1_1' | 'TLSv1_2' | 'TLSv1_3';

// ---------------------------------------------------------------- routes

export interface IRRouteConfig extends Provenanced {
  name: string;
  virtualHosts: IRVirtualHost[];
  /** Envoy picks virtual hosts by domain, not position; lowering still sorts by name. */
  validateClusters?: boolean;
}

export interface IRVirtualHost extends Provenanced {
  name: string;
  domains: string[];
  /** Ordered: Envoy takes the first match. */
  routes: IRRoute[];
  requireTls?: 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
  cors?: IRCorsPolicy;
  typedPerFilterConfig?: Record<string, Record<string, unknown>>;
}

export interface IRRoute extends Provenanced {
  /** Stable name derived from the producing resource, never from position. */
  name: string;
  match: IRRouteMatch;
  action: IRRouteAction;
  requestHeadersToAdd?: IRHeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: IRHeaderValueOption[];
  responseHeadersToRemove?: string[];
  /** Per-filter config keyed by Envoy filter name (e.g. ext_authz disabled). */
  typedPerFilterConfig?: Record<string, Record<string, unknown>>;
  /** Opaque to lowering except as Envoy route metadata (filter_metadata). */
  metadata?: Record<string, Record<string, unknown>>;
  /** Rate-limit actions etc. as proto3-JSON of envoy.config.route.v3.RateLimit. */
  rateLimits?: Record<string, unknown>[];
}

export type IRPathMatch =
  | { kind: 'prefix'; value: string }
  | { kind: 'path'; value: string }
  | { kind: 'regex'; value: string };

export interface IRRouteMatch {
  path: IRPathMatch;
  /** Default true (Envoy's default). */
  caseSensitive?: boolean;
  headers?: IRHeaderMatch[];
  queryParameters?: IRQueryParameterMatch[];
  /** Percentage numerator out of 100 for weighted (canary) selection; cumulative ordering is the producer's job. */
  runtimeFraction?: {
    numerator: number;
    denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
    runtimeKey: string;
  };
  grpc?: boolean;
}

export type IRStringMatch =
  | { exact: string; ignoreCase?: boolean }
  | { prefix: string; ignoreCase?: boolean }
  | { suffix: string; ignoreCase?: boolean }
  | { contains: string; ignoreCase?: boolean }
  | { regex: string };

export interface IRHeaderMatch {
  name: string;
  /** Absent means presence match. */
  match?: IRStringMatch;
  present?: boolean;
  invert?: boolean;
}

export interface IRQueryParameterMatch {
  name: string;
  match?: IRStringMatch;
  present?: boolean;
}

export interface IRHeaderValueOption {
  key: string;
  value: string;
  /** Default APPEND_IF_EXISTS_OR_ADD. */
  append?: 'APPEND_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS';
}

export interface IRWeightedCluster {
  cluster: string;
  weight: number;
}

export type IRRouteAction = IRForwardAction | IRRedirectAction | IRDirectResponseAction;

export interface IRForwardAction {
  kind: 'forward';
  /** One entry: plain cluster; several: weighted_clusters. */
  clusters: IRWeightedCluster[];
  prefixRewrite?: string;
  regexRewrite?: { pattern: string; substitution: string };
  hostRewrite?: string;
  autoHostRewrite?: boolean;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  retryPolicy?: IRRetryPolicy;
  cors?: IRCorsPolicy;
  shadows?: Array<{ cluster: string; percent?: number }>;
  hashPolicy?: IRHashPolicy[];
  upgradeTypes?: string[];
  priority?: 'DEFAULT' | 'HIGH';
  /** Extra RouteAction fields as proto3-JSON, for plugins (e.g. gRPC's max_stream_duration); validated strictly like the rest. */
  extra?: Record<string, unknown>;
}

export interface IRRedirectAction {
  kind: 'redirect';
  httpsRedirect?: boolean;
  hostRedirect?: string;
  portRedirect?: number;
  pathRedirect?: string;
  prefixRewrite?: string;
  regexRewrite?: { pattern: string; substitution: string };
  /** 301 (default), 302, 303, 307, 308. */
  responseCode?: 301 | 302 | 303 | 307 | 308;
  stripQuery?: boolean;
}

export interface IRDirectResponseAction {
  kind: 'direct_response';
  status: number;
  body?: string;
}

export interface IRRetryPolicy {
  retryOn?: string;
  numRetries?: number;
  perTryTimeoutMs?: number;
  retriableStatusCodes?: number[];
}

export interface IRCorsPolicy {
  allowOrigins?: IRStringMatch[];
  allowMethods?: string;
  allowHeaders?: string;
  exposeHeaders?: string;
  maxAge?: string;
  allowCredentials?: boolean;
}

export type IRHashPolicy =
  | { header: string; terminal?: boolean }
  | { cookie: { name: string; ttlSeconds?: number; path?: string }; terminal?: boolean }
  | { sourceIp: true; terminal?: boolean };

// ---------------------------------------------------------------- clusters

export interface IRCluster extends Provenanced {
  name: string;
  discovery: 'STRICT_DNS' | 'LOGICAL_DNS' | 'STATIC' | 'EDS';
  /** For DNS/STATIC discovery. */
  targets?: Array<{ host: string; port: number }>;
  /** For EDS: the key into IR.endpoints and the service name Envoy asks for. */
  edsServiceName?: string;
  connectTimeoutMs?: number;
  lbPolicy?: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'MAGLEV' | 'RANDOM';
  dnsLookupFamily?: 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  respectDnsTtl?: boolean;
  /** Originate TLS to the upstream. */
  tls?: IRUpstreamTls;
  /** Speak HTTP/2 (gRPC) to the upstream. */
  http2?: boolean;
  idleTimeoutMs?: number;
  maxConnectionLifetimeMs?: number;
  circuitBreakers?: IRCircuitBreaker[];
  outlierDetection?: Record<string, unknown>;
  healthChecks?: Record<string, unknown>[];
  tcpKeepalive?: { probes?: number; timeSeconds?: number; intervalSeconds?: number };
  perConnectionBufferLimitBytes?: number;
  /** Extra Cluster fields as proto3-JSON; validated strictly like the rest. */
  extra?: Record<string, unknown>;
}

export interface IRUpstreamTls {
  sni?: string;
  certificateSecret?: string;
  caSecret?: string;
  alpnProtocols?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  cipherSuites?: string[];
  ecdhCurves?: string[];
}

export interface IRCircuitBreaker {
  priority?: 'DEFAULT' | 'HIGH';
  maxConnections?: number;
  maxPendingRequests?: number;
  maxRequests?: number;
  maxRetries?: number;
}

export interface IREndpoints extends Provenanced {
  name: string;
  endpoints: Array<{ address: string; port: number; weight?: number; zone?: string; healthy?: boolean }>;
}

export interface IRSecret extends Provenanced {
  name: string;
  /** PEM text; a CA secret has only `certificateChain` and is emitted as a validation context. */
  certificateChain?: string;
  privateKey?: string;
  trustedCa?: string;
}
