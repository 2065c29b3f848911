import {
  compareStrings,
  type IR,
  type IRAccessLogger,
  type IRFilterChain,
  type IRHttpConnectionManager,
  type IRListener,
  mergeProvenance,
  type ResourceRef,
  TypeUrl,
} from '@attache/core';
import { orderHttpFilters } from '../http-filter-slots.js';
import { mergeRefLists } from '../provenance-union.js';
import {
  adsConfigSource,
  defined,
  definedAfter,
  duration,
  type Json,
  type LoweredResource,
  mergeExtra,
  nonEmpty,
  type ResourcePart,
  sortedRecord,
  sortedStrings,
  typeUrl,
} from './common.js';
import { downstreamTransportSocket } from './tls.js';

export const httpConnectionManagerFilterName = 'envoy.filters.network.http_connection_manager';

const listenerFilterTypes = {
  tls_inspector: {
    name: 'envoy.filters.listener.tls_inspector',
    type: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  },
  proxy_protocol: {
    name: 'envoy.filters.listener.proxy_protocol',
    type: 'envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol',
  },
} as const;

/**
 * Emissary logs to `/dev/fd/1`, which Envoy opens as a file: that fails
 * ("No such device or address") whenever Envoy's stdout is a socket, as under
 * many process supervisors, and the whole Listener is rejected. Envoy's own
 * stdout/stderr loggers write to the process's streams without opening
 * anything, so the standard streams are lowered to them (docs/compat.md).
 */
const standardStreams: Record<string, { name: string; type: string }> = {
  '/dev/fd/1': {
    name: 'envoy.access_loggers.stdout',
    type: 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  },
  '/dev/stdout': {
    name: 'envoy.access_loggers.stdout',
    type: 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  },
  '/dev/fd/2': {
    name: 'envoy.access_loggers.stderr',
    type: 'envoy.extensions.access_loggers.stream.v3.StderrAccessLog',
  },
  '/dev/stderr': {
    name: 'envoy.access_loggers.stderr',
    type: 'envoy.extensions.access_loggers.stream.v3.StderrAccessLog',
  },
};

/** The IR's shared access loggers (`IR.accessLoggers`) lowered once, by where they apply. */
export interface SharedAccessLoggers {
  http: Json[];
  tcp: Json[];
  /** The resources behind them, blamed with every chain that carries them. */
  httpProvenance: ResourceRef[];
  tcpProvenance: ResourceRef[];
}

const noSharedLoggers: SharedAccessLoggers = { http: [], tcp: [], httpProvenance: [], tcpProvenance: [] };

export function sharedAccessLoggers(ir: IR): SharedAccessLoggers {
  const all: Record<string, IRAccessLogger> | undefined = ir.accessLoggers;
  if (!all) return noSharedLoggers;
  const out: SharedAccessLoggers = { http: [], tcp: [], httpProvenance: [], tcpProvenance: [] };
  for (const key of Object.keys(all).sort(compareStrings)) {
    const logger: IRAccessLogger = all[key]!;
    out[logger.on].push({ name: logger.name, typed_config: logger.typedConfig });
    const provenance = logger.on === 'http' ? 'httpProvenance' : 'tcpProvenance';
    out[provenance] = mergeProvenance(out[provenance], logger.provenance);
  }
  return out;
}

function accessLogs(http: IRHttpConnectionManager, shared: Json[]): Json[] | undefined {
  return nonEmpty([
    ...shared,
    ...(http.accessLog ?? []).map((log) => {
      const format = log.json
        ? { json_format: sortedRecord(log.json) }
        : log.format !== undefined
          ? { text_format_source: { inline_string: log.format } }
          : undefined;
      const stream = standardStreams[log.path];
      if (stream) {
        return {
          name: stream.name,
          typed_config: defined({ '@type': typeUrl(stream.type), log_format: format }),
        };
      }
      return {
        name: 'envoy.access_loggers.file',
        typed_config: defined({
          '@type': typeUrl('envoy.extensions.access_loggers.file.v3.FileAccessLog'),
          path: log.path,
          log_format: format,
        }),
      };
    }),
  ]);
}

/** The HCM's HTTP filters in slot order, with the router always last. */
function httpFilters(http: IRHttpConnectionManager): Json[] {
  const router = {
    name: 'envoy.filters.http.router',
    typed_config: defined({
      '@type': typeUrl('envoy.extensions.filters.http.router.v3.Router'),
      start_child_span: http.startChildSpan,
      suppress_envoy_headers: http.suppressEnvoyHeaders,
    }),
  };
  const ordered = orderHttpFilters(http.filters.filter((f) => f.slot !== 'router'));
  return [
    ...ordered.map((f) =>
      f.disabled
        ? { name: f.name, typed_config: f.typedConfig, disabled: true }
        : { name: f.name, typed_config: f.typedConfig },
    ),
    router,
  ];
}

function someSet(object: Json): Json | undefined {
  return Object.keys(object).length > 0 ? object : undefined;
}

function httpConnectionManager(
  routeConfigName: string,
  http: IRHttpConnectionManager,
  loggers: SharedAccessLoggers,
): Json {
  const hcm = defined({
    '@type': typeUrl('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'),
    stat_prefix: http.statPrefix,
    rds: { route_config_name: routeConfigName, config_source: adsConfigSource() },
    http_filters: httpFilters(http),
    use_remote_address: http.useRemoteAddress,
    xff_num_trusted_hops: http.xffNumTrustedHops,
    server_name: http.serverName,
    server_header_transformation: http.serverHeaderTransformation,
    common_http_protocol_options: someSet(
      defined({
        idle_timeout: duration(http.idleTimeoutMs),
        headers_with_underscores_action: http.headersWithUnderscoresAction,
      }),
    ),
    request_timeout: duration(http.requestTimeoutMs),
    stream_idle_timeout: duration(http.streamIdleTimeoutMs),
    max_request_headers_kb: http.maxRequestHeadersKb,
    normalize_path: http.normalizePath,
    merge_slashes: http.mergeSlashes,
    strip_matching_host_port: http.stripMatchingHostPort,
    preserve_external_request_id: http.preserveExternalRequestId,
    generate_request_id: http.generateRequestId,
    http_protocol_options: someSet(
      defined({ accept_http_10: http.acceptHttp10, default_host_for_http_10: http.defaultHostForHttp10 }),
    ),
    http2_protocol_options:
      http.http2MaxConcurrentStreams === undefined
        ? undefined
        : { max_concurrent_streams: http.http2MaxConcurrentStreams },
    forward_client_cert_details: http.forwardClientCertDetails,
    set_current_client_cert_details: sortedRecord(http.setCurrentClientCertDetails),
    upgrade_configs: nonEmpty(http.upgradeTypes?.map((t) => ({ upgrade_type: t }))),
    access_log: accessLogs(http, loggers.http),
    tracing: http.tracing?.config,
  });
  return mergeExtra(hcm, http.extra);
}

/** An HTTP connection manager's JSON for a filter chain, given the route configuration it asks for. */
type ConnectionManagerLowering = (routeConfigName: string, http: IRHttpConnectionManager) => Json;

/**
 * Lowers the connection managers of one listener's chains. Chains share their IR connection
 * manager (a TLS listener has one chain per Host, thousands of them), and only the route
 * configuration's name differs: the rest (filters, access logs, options) is lowered once and
 * the same JSON objects are referenced by every chain, so validation judges them once.
 * Key order and content are exactly those of httpConnectionManager.
 */
function sharedConnectionManagers(loggers: SharedAccessLoggers): ConnectionManagerLowering {
  const lowered = new Map<IRHttpConnectionManager, Json>();
  return (routeConfigName, http) => {
    // A plugin's extra fields for `rds` would merge with it: lowered whole, as it is rare.
    if (http.extra && 'rds' in http.extra) return httpConnectionManager(routeConfigName, http, loggers);
    const first = lowered.get(http);
    if (first === undefined) {
      const hcm = httpConnectionManager(routeConfigName, http, loggers);
      lowered.set(http, hcm);
      return hcm;
    }
    const out: Json = {};
    for (const key in first) {
      out[key] =
        key === 'rds'
          ? { route_config_name: routeConfigName, config_source: (first.rds as Json).config_source }
          : first[key];
    }
    return out;
  };
}

function tcpProxy(chain: IRFilterChain & { kind: 'tcp' }, loggers: SharedAccessLoggers): Json {
  const [only, ...more] = chain.clusters;
  const target =
    only && more.length === 0
      ? { cluster: only.cluster }
      : {
          weighted_clusters: { clusters: chain.clusters.map((c) => ({ name: c.cluster, weight: c.weight })) },
        };
  return definedAfter(
    {
      '@type': typeUrl('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'),
      stat_prefix: chain.statPrefix,
    },
    { ...target, idle_timeout: duration(chain.idleTimeoutMs), access_log: nonEmpty(loggers.tcp) },
  );
}

function filterChain(
  chain: IRFilterChain,
  loggers: SharedAccessLoggers,
  connectionManager: ConnectionManagerLowering,
  options: { isDefault?: boolean } = {},
): Json {
  const match = defined({
    server_names: sortedStrings(chain.match.serverNames),
    transport_protocol: chain.match.transportProtocol,
    application_protocols: nonEmpty(chain.match.applicationProtocols),
  });
  const filter =
    chain.kind === 'http'
      ? {
          name: httpConnectionManagerFilterName,
          typed_config: connectionManager(chain.routeConfigName, chain.http),
        }
      : { name: 'envoy.filters.network.tcp_proxy', typed_config: tcpProxy(chain, loggers) };
  return defined({
    name: chain.name,
    // Envoy ignores the match of the default chain (it is what serves "no match").
    filter_chain_match: options.isDefault ? undefined : someSet(match),
    transport_socket: chain.tls ? downstreamTransportSocket(chain.tls) : undefined,
    filters: [filter],
  });
}

/**
 * The refs behind a chain: its own, its access loggers', its tracing's and its HTTP
 * filters' (mergeProvenance, with keys computed once per ref). What a chain gets from its connection manager is merged once per IR connection
 * manager (`merged`): merging that union with the chain's own refs is the same union.
 */
function chainProvenance(
  chain: IRFilterChain,
  loggers: SharedAccessLoggers,
  merged: Map<IRHttpConnectionManager, ResourceRef[]>,
): ResourceRef[] {
  if (chain.kind !== 'http') return mergeRefLists(chain.provenance, loggers.tcpProvenance);
  let fromHttp = merged.get(chain.http);
  if (fromHttp === undefined) {
    fromHttp = mergeRefLists(
      loggers.httpProvenance,
      chain.http.tracing?.provenance ?? [],
      ...chain.http.filters.map((f) => f.provenance),
    );
    merged.set(chain.http, fromHttp);
  }
  return mergeRefLists(chain.provenance, fromHttp);
}

/**
 * IR listener → Listener. Filter chains are sorted by name (Envoy picks a
 * chain by its match, not its position); listener filters keep their IR
 * order, which is behaviour (PROXY protocol must be read before TLS
 * inspection). A chain is a droppable part: a chain that fails validation is
 * left out and blamed while the listener's other chains keep serving.
 */
export function lowerListener(
  listener: IRListener,
  loggers: SharedAccessLoggers = noSharedLoggers,
): LoweredResource {
  const parts: ResourcePart[] = [];
  const chains = [...listener.filterChains].sort((a, b) => compareStrings(a.name, b.name));
  const merged = new Map<IRHttpConnectionManager, ResourceRef[]>();
  chains.forEach((chain, i) => {
    parts.push({
      pointer: `/filter_chains/${i}`,
      label: `filter chain '${chain.name}'`,
      provenance: chainProvenance(chain, loggers, merged),
      droppable: true,
    });
  });
  if (listener.defaultFilterChain) {
    parts.push({
      pointer: '/default_filter_chain',
      label: `default filter chain '${listener.defaultFilterChain.name}'`,
      provenance: chainProvenance(listener.defaultFilterChain, loggers, merged),
      droppable: true,
    });
  }
  const connectionManager = sharedConnectionManagers(loggers);
  return {
    typeUrl: TypeUrl.Listener,
    name: listener.name,
    resource: defined({
      '@type': typeUrl('envoy.config.listener.v3.Listener'),
      name: listener.name,
      address: { socket_address: { address: listener.address, port_value: listener.port } },
      stat_prefix: listener.statsPrefix,
      traffic_direction: listener.trafficDirection,
      listener_filters: nonEmpty(
        listener.listenerFilters.map((f) => ({
          name: listenerFilterTypes[f].name,
          typed_config: { '@type': typeUrl(listenerFilterTypes[f].type) },
        })),
      ),
      filter_chains: chains.map((chain) => filterChain(chain, loggers, connectionManager)),
      default_filter_chain: listener.defaultFilterChain
        ? filterChain(listener.defaultFilterChain, loggers, connectionManager, { isDefault: true })
        : undefined,
      per_connection_buffer_limit_bytes: listener.perConnectionBufferLimitBytes,
    }),
    provenance: listener.provenance,
    parts,
  };
}
