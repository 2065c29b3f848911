import { formatRef, type IR, type ResourceRef, TypeUrl, type XdsResources } from '@attache/core';
import type { Json, JsonObject } from './json.js';
import { arr, durationMs, isObject, num, obj, str, toSnakeKeys, unwrap } from './json.js';
import type {
  ClusterModel,
  ClusterTarget,
  DownstreamTlsModel,
  EnvoyModel,
  FilterChainModel,
  HcmModel,
  ListenerModel,
  RouteConfigModel,
  RouteModel,
  TcpProxyModel,
  UpstreamTlsModel,
  VirtualHostModel,
} from './model.js';
import { headerOpsOf, normaliseRouteMatch } from './normalise-route.js';
import { describeCertificates, describeValidationContext, type SdsResolver } from './secret-names.js';
import { compileRegex } from './string-match.js';

/** What explain can read: our compile output, or any Envoy bootstrap with static_resources. */
export type EnvoyConfigInput =
  | { xds: XdsResources; ir?: IR }
  /** A bootstrap (or Emissary's econf / expected.json) with `static_resources`. */
  | { bootstrap: unknown };

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';
const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export function buildEnvoyModel(input: EnvoyConfigInput): EnvoyModel {
  return 'xds' in input ? fromXds(input.xds, input.ir) : fromBootstrap(input.bootstrap);
}

interface Context {
  routeConfigs: Map<string, { resource: JsonObject; provenance: ResourceRef[] }>;
  resolveSds: SdsResolver;
  routeProvenance: (
    routeConfig: string,
    vhost: string,
    route: string | undefined,
  ) => ResourceRef[] | undefined;
  warnings: string[];
}

function fromXds(xds: XdsResources, ir: IR | undefined): EnvoyModel {
  const secrets = new Map<string, ResourceRef[]>();
  for (const s of xds[TypeUrl.Secret] ?? []) secrets.set(s.name, s.provenance);
  const ctx: Context = {
    routeConfigs: new Map(),
    resolveSds: (name) => {
      const refs = (secrets.get(name) ?? []).filter((r) => r.kind === 'Secret');
      return refs.length > 0
        ? refs.map((r) => `Secret ${r.namespace ?? ''}/${r.name}`).join(' + ')
        : `SDS ${name}`;
    },
    routeProvenance: (rc, vh, route) => {
      if (!ir || route === undefined) return undefined;
      const vhost = ir.routeConfigs[rc]?.virtualHosts.find((v) => v.name === vh);
      return vhost?.routes.find((r) => r.name === route)?.provenance;
    },
    warnings: [],
  };
  for (const rc of xds[TypeUrl.RouteConfiguration] ?? []) {
    ctx.routeConfigs.set(rc.name, {
      resource: obj(toSnakeKeys(rc.resource)) ?? {},
      provenance: rc.provenance,
    });
  }
  const endpoints = new Map<string, Array<{ address: string; port: number }>>();
  for (const cla of xds[TypeUrl.ClusterLoadAssignment] ?? []) {
    endpoints.set(cla.name, endpointsOf(obj(toSnakeKeys(cla.resource)) ?? {}));
  }
  const listeners = (xds[TypeUrl.Listener] ?? []).map((l) =>
    listenerModel(obj(toSnakeKeys(l.resource)) ?? {}, l.provenance, ctx),
  );
  const clusters = new Map<string, ClusterModel>();
  for (const c of xds[TypeUrl.Cluster] ?? []) {
    const model = clusterModel(obj(toSnakeKeys(c.resource)) ?? {}, c.provenance, ctx.resolveSds);
    if (model.target.kind === 'eds') {
      const eps = endpoints.get(model.target.serviceName);
      if (eps) model.target.endpoints = eps;
    }
    clusters.set(model.name, model);
  }
  return { listeners, clusters, warnings: ctx.warnings };
}

function fromBootstrap(bootstrap: unknown): EnvoyModel {
  const root = obj(toSnakeKeys(bootstrap)) ?? {};
  const statics = obj(root.static_resources) ?? {};
  const ctx: Context = {
    routeConfigs: new Map(),
    resolveSds: (name) => `SDS ${name}`,
    routeProvenance: () => undefined,
    warnings: [],
  };
  const listeners = arr(statics.listeners).map((l) => listenerModel(obj(l) ?? {}, [], ctx));
  const clusters = new Map<string, ClusterModel>();
  for (const c of arr(statics.clusters)) {
    const model = clusterModel(obj(c) ?? {}, [], ctx.resolveSds);
    clusters.set(model.name, model);
  }
  return { listeners, clusters, warnings: ctx.warnings };
}

function listenerModel(l: JsonObject, provenance: ResourceRef[], ctx: Context): ListenerModel {
  const socket = obj(obj(l.address)?.socket_address) ?? {};
  const name = str(l.name) ?? '';
  const model: ListenerModel = {
    name,
    address: str(socket.address) ?? '0.0.0.0',
    port: num(socket.port_value) ?? 0,
    listenerFilters: arr(l.listener_filters).map((f) => shortListenerFilter(str(obj(f)?.name) ?? '')),
    filterChains: arr(l.filter_chains).map((fc, i) => filterChainModel(obj(fc) ?? {}, i, ctx)),
    provenance,
    raw: l,
  };
  const def = obj(l.default_filter_chain);
  if (def) model.defaultFilterChain = filterChainModel(def, -1, ctx);
  // Envoy 1.x listeners of old could set use_proxy_proto on the chain; fold it into the filter list.
  if (arr(l.filter_chains).some((fc) => unwrap(obj(fc)?.use_proxy_proto) === true)) {
    if (!model.listenerFilters.includes('proxy_protocol')) model.listenerFilters.unshift('proxy_protocol');
  }
  return model;
}

function shortListenerFilter(name: string): string {
  if (name === 'envoy.filters.listener.tls_inspector' || name === 'envoy.listener.tls_inspector')
    return 'tls_inspector';
  if (name === 'envoy.filters.listener.proxy_protocol' || name === 'envoy.listener.proxy_protocol')
    return 'proxy_protocol';
  return name;
}

function filterChainModel(fc: JsonObject, index: number, ctx: Context): FilterChainModel {
  const m = obj(fc.filter_chain_match) ?? {};
  const { server_names, transport_protocol, application_protocols, destination_port, ...other } = m;
  const model: FilterChainModel = {
    index,
    match: {
      serverNames: arr(server_names).map(String),
      applicationProtocols: arr(application_protocols).map(String),
      other,
    },
    networkFilters: [],
  };
  const name = str(fc.name);
  if (name !== undefined) model.name = name;
  const tp = str(transport_protocol);
  if (tp) model.match.transportProtocol = tp;
  const dp = num(unwrap(destination_port));
  if (dp !== undefined) model.match.destinationPort = dp;
  const tls = downstreamTls(obj(fc.transport_socket), ctx.resolveSds);
  if (tls) model.tls = tls;
  for (const f of arr(fc.filters)) {
    const filter = obj(f) ?? {};
    const fname = str(filter.name) ?? '';
    const config = obj(filter.typed_config) ?? {};
    const type = str(config['@type']) ?? '';
    if (fname === HCM || type.endsWith('.HttpConnectionManager')) model.hcm = hcmModel(config, ctx);
    else if (fname === TCP_PROXY || type.endsWith('.TcpProxy')) model.tcpProxy = tcpProxyModel(config);
    else model.networkFilters.push(fname);
  }
  return model;
}

function downstreamTls(
  socket: JsonObject | undefined,
  resolveSds: SdsResolver,
): DownstreamTlsModel | undefined {
  const config = obj(socket?.typed_config);
  if (!config) return undefined;
  const common = obj(config.common_tls_context) ?? {};
  const params = obj(common.tls_params) ?? {};
  const model: DownstreamTlsModel = {
    certificates: describeCertificates(common, resolveSds),
    requireClientCertificate: unwrap(config.require_client_certificate) === true,
    alpn: alpnProtocols(common.alpn_protocols),
    cipherSuites: arr(params.cipher_suites).map(String),
    ecdhCurves: arr(params.ecdh_curves).map(String),
  };
  return Object.assign(model, sharedTlsFacts(common, resolveSds));
}

const HCM_NOT_BEHAVIOUR = new Set([
  '@type',
  'route_config',
  'rds',
  'http_filters',
  'access_log',
  'stat_prefix',
]);

function hcmModel(config: JsonObject, ctx: Context): HcmModel {
  const settings: JsonObject = {};
  for (const [k, v] of Object.entries(config)) if (!HCM_NOT_BEHAVIOUR.has(k)) settings[k] = v;
  const model: HcmModel = {
    settings,
    httpFilters: arr(config.http_filters).map((f) => {
      const o = obj(f) ?? {};
      const entry: { name: string; config?: JsonObject; disabled?: boolean } = { name: str(o.name) ?? '' };
      const tc = obj(o.typed_config);
      if (tc) entry.config = tc;
      if (o.disabled === true) entry.disabled = true;
      return entry;
    }),
  };
  const inline = obj(config.route_config);
  if (inline) {
    model.routeConfig = routeConfigModel(inline, [], ctx);
  } else {
    const rdsName = str(obj(config.rds)?.route_config_name);
    if (rdsName !== undefined) {
      model.rdsName = rdsName;
      const found = ctx.routeConfigs.get(rdsName);
      if (found) model.routeConfig = routeConfigModel(found.resource, found.provenance, ctx);
      else ctx.warnings.push(`RDS names RouteConfiguration ${rdsName}, which is not in the configuration`);
    }
  }
  return model;
}

function routeConfigModel(rc: JsonObject, provenance: ResourceRef[], ctx: Context): RouteConfigModel {
  const name = str(rc.name) ?? '';
  return {
    name,
    virtualHosts: arr(rc.virtual_hosts).map((vh) => virtualHostModel(obj(vh) ?? {}, name, ctx)),
    ignorePortInHostMatching: unwrap(rc.ignore_port_in_host_matching) === true,
    headerOps: headerOpsOf(rc),
    provenance,
  };
}

function virtualHostModel(vh: JsonObject, routeConfigName: string, ctx: Context): VirtualHostModel {
  const name = str(vh.name) ?? '';
  const routes: RouteModel[] = arr(vh.routes).map((r, index) => {
    const route = obj(r) ?? {};
    const routeName = str(route.name);
    const model: RouteModel = {
      index,
      match: normaliseRouteMatch(obj(route.match) ?? {}),
      headerOps: headerOpsOf(route),
      provenance:
        ctx.routeProvenance(routeConfigName, name, routeName) ?? provenanceFromMetadata(route) ?? [],
    };
    if (routeName !== undefined) model.name = routeName;
    for (const pattern of regexesIn(route)) {
      const compiled = compileRegex(pattern);
      if (compiled instanceof Error) {
        ctx.warnings.push(
          `virtual host ${name} route #${index}: regex /${pattern}/ is not valid RE2 (${compiled.message}); Envoy rejects the whole configuration`,
        );
      }
    }
    const action = obj(route.route);
    if (action) {
      const { priority: _priority, ...rest } = action;
      model.route = rest;
    }
    const redirect = obj(route.redirect);
    if (redirect) model.redirect = redirect;
    const direct = obj(route.direct_response);
    if (direct) model.directResponse = direct;
    const tpfc = obj(route.typed_per_filter_config);
    if (tpfc) model.typedPerFilterConfig = tpfc;
    return model;
  });
  const model: VirtualHostModel = {
    name,
    domains: arr(vh.domains).map(String),
    routes,
    headerOps: headerOpsOf(vh),
    provenance: [],
  };
  const requireTls = str(vh.require_tls);
  if (requireTls && requireTls !== 'NONE') model.requireTls = requireTls;
  const cors = obj(vh.cors);
  if (cors) model.cors = cors;
  const retry = obj(vh.retry_policy);
  if (retry) model.retryPolicy = retry;
  const tpfc = obj(vh.typed_per_filter_config);
  if (tpfc) model.typedPerFilterConfig = tpfc;
  return model;
}

/**
 * Route metadata `filter_metadata.attache.provenance` (["Mapping default/x", …]), when
 * the lowering chose to carry it; lets explain name the Mapping without the IR.
 */
function provenanceFromMetadata(route: JsonObject): ResourceRef[] | undefined {
  const list = arr(obj(obj(obj(route.metadata)?.filter_metadata)?.attache)?.provenance);
  const refs: ResourceRef[] = [];
  for (const entry of list) {
    const m = /^(\S+) (?:([^/\s]+)\/)?(\S+)$/.exec(String(entry));
    if (m) {
      const ref: ResourceRef = { apiVersion: '', kind: m[1]!, name: m[3]! };
      if (m[2]) ref.namespace = m[2];
      refs.push(ref);
    }
  }
  return refs.length > 0 ? refs : undefined;
}

function tcpProxyModel(config: JsonObject): TcpProxyModel {
  const cluster = str(config.cluster);
  const weighted = arr(obj(config.weighted_clusters)?.clusters).map((c) => ({
    name: str(obj(c)?.name) ?? '',
    weight: num(unwrap(obj(c)?.weight)) ?? 0,
  }));
  return { clusters: cluster !== undefined ? [{ name: cluster, weight: 1 }] : weighted, raw: config };
}

const CLUSTER_NOT_SETTINGS = new Set([
  'name',
  'alt_stat_name',
  'type',
  'cluster_discovery_type',
  'lb_policy',
  'connect_timeout',
  'load_assignment',
  'eds_cluster_config',
  'transport_socket',
  'http2_protocol_options',
  'typed_extension_protocol_options',
  '@type',
]);

function clusterModel(c: JsonObject, provenance: ResourceRef[], resolveSds: SdsResolver): ClusterModel {
  const name = str(c.name) ?? '';
  const type = str(c.type) ?? (isObject(c.cluster_type) ? 'CUSTOM' : 'STATIC');
  let target: ClusterTarget;
  if (type === 'EDS') {
    target = { kind: 'eds', serviceName: str(obj(c.eds_cluster_config)?.service_name) ?? name };
    const inline = obj(c.load_assignment);
    if (inline) target.endpoints = endpointsOf(inline);
  } else if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS' || type === 'STATIC') {
    target = {
      kind: type === 'STATIC' ? 'static' : 'dns',
      endpoints: endpointsOf(obj(c.load_assignment) ?? {}),
    };
  } else {
    target = { kind: 'other', type };
  }
  const settings: JsonObject = {};
  for (const [k, v] of Object.entries(c)) if (!CLUSTER_NOT_SETTINGS.has(k)) settings[k] = v;
  const httpOptions = obj(obj(c.typed_extension_protocol_options)?.[HTTP_PROTOCOL_OPTIONS]);
  const explicit = obj(httpOptions?.explicit_http_config);
  const http2 = isObject(c.http2_protocol_options) || isObject(explicit?.http2_protocol_options);
  if (
    httpOptions &&
    isObject(httpOptions.common_http_protocol_options) &&
    !settings.common_http_protocol_options
  ) {
    settings.common_http_protocol_options = httpOptions.common_http_protocol_options;
  }
  const model: ClusterModel = {
    name,
    type,
    target,
    lbPolicy: str(c.lb_policy) ?? 'ROUND_ROBIN',
    http2,
    settings,
    provenance,
  };
  const connect = durationMs(c.connect_timeout);
  if (connect !== undefined) model.connectTimeoutMs = connect;
  const tls = upstreamTls(obj(c.transport_socket), resolveSds);
  if (tls) model.tls = tls;
  return model;
}

/** What downstream and upstream TLS contexts share: the CA that verifies the peer, and the TLS version bounds. */
function sharedTlsFacts(
  common: JsonObject,
  resolveSds: SdsResolver,
): Pick<DownstreamTlsModel & UpstreamTlsModel, 'validationContext' | 'minVersion' | 'maxVersion'> {
  const params = obj(common.tls_params) ?? {};
  const facts: Pick<
    DownstreamTlsModel & UpstreamTlsModel,
    'validationContext' | 'minVersion' | 'maxVersion'
  > = {};
  const ca = describeValidationContext(common, resolveSds);
  if (ca) facts.validationContext = ca;
  const min = str(params.tls_minimum_protocol_version);
  if (min && min !== 'TLS_AUTO') facts.minVersion = min;
  const max = str(params.tls_maximum_protocol_version);
  if (max && max !== 'TLS_AUTO') facts.maxVersion = max;
  return facts;
}

function upstreamTls(socket: JsonObject | undefined, resolveSds: SdsResolver): UpstreamTlsModel | undefined {
  const config = obj(socket?.typed_config);
  if (!config || !String(config['@type'] ?? '').endsWith('UpstreamTlsContext')) return undefined;
  const common = obj(config.common_tls_context) ?? {};
  const model: UpstreamTlsModel = {
    certificates: describeCertificates(common, resolveSds),
    alpn: alpnProtocols(common.alpn_protocols),
  };
  const sni = str(config.sni);
  if (sni) model.sni = sni;
  return Object.assign(model, sharedTlsFacts(common, resolveSds));
}

function endpointsOf(cla: JsonObject): Array<{ address: string; port: number }> {
  const out: Array<{ address: string; port: number }> = [];
  for (const locality of arr(cla.endpoints)) {
    for (const lb of arr(obj(locality)?.lb_endpoints)) {
      const socket = obj(obj(obj(obj(lb)?.endpoint)?.address)?.socket_address);
      if (socket) out.push({ address: str(socket.address) ?? '', port: num(socket.port_value) ?? 0 });
    }
  }
  return out;
}

export function describeTarget(cluster: ClusterModel | undefined): string {
  if (!cluster) return 'unknown cluster';
  const t = cluster.target;
  const eps = (list: Array<{ address: string; port: number }>) =>
    list.map((e) => `${e.address}:${e.port}`).join(', ');
  switch (t.kind) {
    case 'dns':
      return `${cluster.type} ${eps(t.endpoints)}`;
    case 'static':
      return `STATIC ${eps(t.endpoints)}`;
    case 'eds':
      return `EDS service ${t.serviceName}${t.endpoints ? ` (endpoints: ${t.endpoints.length > 0 ? eps(t.endpoints) : 'none'})` : ''}`;
    default:
      return `${t.type} cluster`;
  }
}

export function describeRefs(refs: readonly ResourceRef[]): string {
  return refs.map(formatRef).join(', ');
}

export type { Json };

/** Every RE2 pattern in a route (matchers, rewrites): each `regex` under a safe_regex-like field. */
function regexesIn(value: Json | undefined): string[] {
  const out: string[] = [];
  const walk = (v: Json | undefined, parentKey: string) => {
    if (Array.isArray(v)) for (const x of v) walk(x, parentKey);
    else if (isObject(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (k === 'regex' && typeof child === 'string' && /regex|pattern/.test(parentKey)) out.push(child);
        else walk(child, k);
      }
    }
  };
  walk(value, '');
  return out;
}

/**
 * Envoy joins `alpn_protocols` with ',' and parses the result as one list, so
 * ["h2,http/1.1"] and ["h2", "http/1.1"] offer the same protocols: normalise to the latter.
 */
function alpnProtocols(value: unknown): string[] {
  return arr(value)
    .flatMap((entry) => String(entry).split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
