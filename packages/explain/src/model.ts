import type { ResourceRef } from '@attache/core';
import type { JsonObject } from './json.js';

/**
 * One shape for any Envoy configuration, whether it came from our xDS
 * resources (RDS by name, EDS by service name) or from a static bootstrap
 * (inline route_config, inline load_assignment). All raw fragments are
 * snake_case proto3 JSON.
 */
export interface EnvoyModel {
  listeners: ListenerModel[];
  clusters: Map<string, ClusterModel>;
  /** Things the model could not resolve (an RDS name with no RouteConfiguration, …). */
  warnings: string[];
}

export interface ListenerModel {
  name: string;
  address: string;
  port: number;
  /** Listener filter names in order, shortened: 'tls_inspector', 'proxy_protocol', or the full name. */
  listenerFilters: string[];
  filterChains: FilterChainModel[];
  defaultFilterChain?: FilterChainModel;
  provenance: ResourceRef[];
  raw: JsonObject;
}

export interface FilterChainMatchModel {
  serverNames: string[];
  transportProtocol?: string;
  applicationProtocols: string[];
  destinationPort?: number;
  /** Match fields the model does not evaluate (source IPs, …), kept so a comparison still sees them. */
  other: JsonObject;
}

export interface FilterChainModel {
  name?: string;
  /** Position in the listener's filter_chains; -1 for the default filter chain. */
  index: number;
  match: FilterChainMatchModel;
  tls?: DownstreamTlsModel;
  /** Network filters before the terminal one (names only). */
  networkFilters: string[];
  hcm?: HcmModel;
  tcpProxy?: TcpProxyModel;
}

/** A certificate or key named by where it comes from, never by a file path or SDS name. */
export type SecretRefText = string;

export interface DownstreamTlsModel {
  certificates: SecretRefText[];
  validationContext?: SecretRefText;
  requireClientCertificate: boolean;
  alpn: string[];
  minVersion?: string;
  maxVersion?: string;
  cipherSuites: string[];
  ecdhCurves: string[];
}

export interface TcpProxyModel {
  clusters: Array<{ name: string; weight: number }>;
  raw: JsonObject;
}

export interface HcmModel {
  /** Settings that are behaviour (use_remote_address, xff_num_trusted_hops, …); names and logs removed. */
  settings: JsonObject;
  /** In order; `disabled`: off unless a route or virtual host enables it (HttpFilter.disabled). */
  httpFilters: Array<{ name: string; config?: JsonObject; disabled?: boolean }>;
  routeConfig?: RouteConfigModel;
  /** The RDS name, when the route configuration is fetched by name. */
  rdsName?: string;
}

export interface HeaderAddition {
  key: string;
  value: string;
  /** Envoy's HeaderAppendAction. */
  action: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
}

export interface HeaderOps {
  requestAdd: HeaderAddition[];
  requestRemove: string[];
  responseAdd: HeaderAddition[];
  responseRemove: string[];
}

export interface RouteConfigModel {
  name: string;
  virtualHosts: VirtualHostModel[];
  ignorePortInHostMatching: boolean;
  headerOps: HeaderOps;
  provenance: ResourceRef[];
}

export interface VirtualHostModel {
  name: string;
  domains: string[];
  routes: RouteModel[];
  headerOps: HeaderOps;
  requireTls?: string;
  cors?: JsonObject;
  retryPolicy?: JsonObject;
  typedPerFilterConfig?: JsonObject;
  provenance: ResourceRef[];
}

export interface RouteModel {
  index: number;
  name?: string;
  /** envoy.config.route.v3.RouteMatch, normalised (see normaliseRouteMatch). */
  match: JsonObject;
  route?: JsonObject;
  redirect?: JsonObject;
  directResponse?: JsonObject;
  headerOps: HeaderOps;
  typedPerFilterConfig?: JsonObject;
  /** The input resources behind this route (the Mapping), when known. */
  provenance: ResourceRef[];
}

export type ClusterTarget =
  | { kind: 'dns' | 'static'; endpoints: Array<{ address: string; port: number }> }
  | { kind: 'eds'; serviceName: string; endpoints?: Array<{ address: string; port: number }> }
  | { kind: 'other'; type: string };

export interface UpstreamTlsModel {
  sni?: string;
  certificates: SecretRefText[];
  validationContext?: SecretRefText;
  alpn: string[];
  minVersion?: string;
  maxVersion?: string;
}

export interface ClusterModel {
  name: string;
  /** STRICT_DNS, LOGICAL_DNS, STATIC, EDS, … */
  type: string;
  target: ClusterTarget;
  lbPolicy: string;
  connectTimeoutMs?: number;
  tls?: UpstreamTlsModel;
  http2: boolean;
  /** The rest of the Cluster (health checks, circuit breakers, …) without names and stats names. */
  settings: JsonObject;
  provenance: ResourceRef[];
}
