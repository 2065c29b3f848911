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
          typed_config: httpConnectionManager(chain.routeConfigName, chain.http, loggers),
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

function chainProvenance(chain: IRFilterChain, loggers: SharedAccessLoggers): ResourceRef[] {
  return mergeProvenance(
    chain.provenance,
    chain.kind === 'http' ? loggers.httpProvenance : loggers.tcpProvenance,
    chain.kind === 'http' ? (chain.http.tracing?.provenance ?? []) : [],
    ...(chain.kind === 'http' ? chain.http.filters.map((f) => f.provenance) : []),
  );
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
  chains.forEach((chain, i) => {
    parts.push({
      pointer: `/filter_chains/${i}`,
      label: `filter chain '${chain.name}'`,
      provenance: chainProvenance(chain, loggers),
      droppable: true,
    });
  });
  if (listener.defaultFilterChain) {
    parts.push({
      pointer: '/default_filter_chain',
      label: `default filter chain '${listener.defaultFilterChain.name}'`,
      provenance: chainProvenance(listener.defaultFilterChain, loggers),
      droppable: true,
    });
  }
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
      filter_chains: chains.map((chain) => filterChain(chain, loggers)),
      default_filter_chain: listener.defaultFilterChain
        ? filterChain(listener.defaultFilterChain, loggers, { isDefault: true })
        : undefined,
      per_connection_buffer_limit_bytes: listener.perConnectionBufferLimitBytes,
    }),
    provenance: listener.provenance,
    parts,
  };
}
