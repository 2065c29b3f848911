import {
  canonicalJson,
  type DiagnosticInput,
  type IRFilterChain,
  type IRHttpConnectionManager,
  type IRHttpFilter,
  type IRListener,
  type IRRoute,
  type IRRouteConfig,
  type IRVirtualHost,
  type PassContext,
  type ResourceRef,
} from '@attache/core';
import { deepEqual } from '../finalize/share-routes.js';
import { ExtKey, type HttpHost, type HttpListener, type HttpModule } from '../model.js';
import { isEmptySelector, selectorMatches } from '../selector.js';
import { errorResponseFilters } from './error-responses.js';
import { type BuildState, keptHostsProvenance, type ListenerBuild } from './kept-build.js';
import { applyModuleFeatures } from './module-features.js';

/** Which Hosts a Listener serves: hostBinding namespace rule, then its Host label selector. */
export function listenerBindsHost(
  listener: HttpListener,
  host: HttpHost,
  namespaceLabels: (ns: string) => Record<string, string>,
): boolean {
  const binding = listener.hostBinding;
  if (binding.from === 'SELF' && host.namespace !== listener.namespace) return false;
  if (binding.from === 'SELECTOR') return selectorMatches(binding.selector, namespaceLabels(host.namespace));
  return isEmptySelector(binding.selector) || selectorMatches(binding.selector, host.labels);
}

const corsFilter: Omit<IRHttpFilter, 'provenance'> = {
  slot: 'cors',
  name: 'envoy.filters.http.cors',
  typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' },
};

function connectionManager(listener: HttpListener, module: HttpModule): IRHttpConnectionManager {
  const c = module.config;
  const provenance = module.ref ? [module.ref] : [];
  const filters: IRHttpFilter[] = [{ ...corsFilter, provenance }];
  if (c.lua_scripts !== undefined) {
    filters.push({
      slot: 'lua',
      name: 'envoy.filters.http.lua',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
        default_source_code: { inline_string: c.lua_scripts },
      },
      provenance,
    });
  }
  if (c.buffer !== undefined) {
    filters.push({
      slot: 'buffer',
      name: 'envoy.filters.http.buffer',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
        max_request_bytes: c.buffer.max_request_bytes,
      },
      provenance,
    });
  }
  const hcm: IRHttpConnectionManager = {
    statPrefix: listener.statsPrefix ?? (listener.stack.includes('TLS') ? 'ingress_https' : 'ingress_http'),
    filters,
    useRemoteAddress: c.use_remote_address ?? true,
    serverName: c.server_name ?? 'envoy',
    normalizePath: c.normalize_path ?? true,
    preserveExternalRequestId: c.preserve_external_request_id ?? false,
    acceptHttp10: c.enable_http10 ?? false,
  };
  if (listener.l7Depth) hcm.xffNumTrustedHops = listener.l7Depth;
  if (c.listener_idle_timeout_ms !== undefined) hcm.idleTimeoutMs = c.listener_idle_timeout_ms;
  if (c.merge_slashes !== undefined) hcm.mergeSlashes = c.merge_slashes;
  if (c.strip_matching_host_port !== undefined) hcm.stripMatchingHostPort = c.strip_matching_host_port;
  if (c.max_request_headers_kb !== undefined) hcm.maxRequestHeadersKb = c.max_request_headers_kb;
  if (c.server_header_transformation) {
    hcm.serverHeaderTransformation =
      c.server_header_transformation as IRHttpConnectionManager['serverHeaderTransformation'];
  }
  if (c.headers_with_underscores_action) {
    hcm.headersWithUnderscoresAction =
      c.headers_with_underscores_action as IRHttpConnectionManager['headersWithUnderscoresAction'];
  }
  if (c.suppress_envoy_headers !== undefined) hcm.suppressEnvoyHeaders = c.suppress_envoy_headers;
  if (listener.http2MaxConcurrentStreams) hcm.http2MaxConcurrentStreams = listener.http2MaxConcurrentStreams;
  if (c.forward_client_cert_details) hcm.forwardClientCertDetails = c.forward_client_cert_details;
  if (c.set_current_client_cert_details)
    hcm.setCurrentClientCertDetails = { ...c.set_current_client_cert_details };
  const extra: Record<string, unknown> = {};
  const http1: Record<string, unknown> = {};
  if (c.allow_chunked_length) http1.allow_chunked_length = true;
  if (c.proper_case) http1.header_key_format = { proper_case_words: {} };
  if (Object.keys(http1).length > 0) extra.http_protocol_options = http1;
  if (c.reject_requests_with_escaped_slashes) extra.path_with_escaped_slashes_action = 'REJECT_REQUEST';
  if (Object.keys(extra).length > 0) hcm.extra = extra;
  applyModuleFeatures(hcm, module);
  return hcm;
}

const hostProvenance = (host: HttpHost): ResourceRef[] => (host.synthesized ? [] : [host.ref]);

function virtualHost(host: HttpHost, routes: IRRoute[], state: BuildState | undefined): IRVirtualHost {
  // A route list belongs to one Host (and security model): its virtual host is kept with it.
  const before = state?.virtualHosts.get(routes);
  if (
    before !== undefined &&
    before.name === host.id &&
    before.domains[0] === host.hostname &&
    before.provenance.length === (host.synthesized ? 0 : 1) &&
    (host.synthesized || before.provenance[0] === host.ref)
  ) {
    return before;
  }
  const vh = freshVirtualHost(host, routes);
  state?.virtualHosts.set(routes, vh);
  return vh;
}

function freshVirtualHost(host: HttpHost, routes: IRRoute[]): IRVirtualHost {
  return {
    name: host.id,
    domains: [host.hostname],
    routes,
    provenance: hostProvenance(host),
  };
}

/**
 * One Envoy listener per Listener: listener filters from the protocol stack,
 * an SNI filter chain per TLS Host (a "*" Host matches any SNI), and one
 * cleartext chain carrying every bound Host. Each chain has its own route
 * configuration, served over RDS.
 *
 * With `kept` (the Listener's last build, for the same bound Hosts) and `dirty`
 * (the Hosts whose routes may differ from then), only the route configurations
 * of those Hosts are made again: every other Host keeps its virtual host, its
 * TLS route configuration, and the chains and the listener are the last ones.
 */
export function buildListener(
  ctx: PassContext,
  listener: HttpListener,
  bound: readonly HttpHost[],
  routesFor: (host: HttpHost) => IRRoute[],
  module: HttpModule,
  state?: BuildState,
  kept?: { build: ListenerBuild; dirty: ReadonlySet<HttpHost> },
): void {
  let hcm = connectionManager(listener, module);
  hcm.filters.push(...errorResponseFilters(ctx, module));
  // The connection manager of the last compile when equal: chains holding it compare by identity.
  const keptHcm = state?.connectionManagers.get(listener.id);
  if (keptHcm !== undefined && deepEqual(keptHcm, hcm)) hcm = keptHcm;
  else state?.connectionManagers.set(listener.id, hcm);
  const placeRouteConfig = (name: string, virtualHosts: IRVirtualHost[], provenance: () => ResourceRef[]) => {
    // Made of the same virtual hosts for the same Listener: the route configuration of the last compile.
    const before = state?.routeConfigs.get(name);
    let config: IRRouteConfig;
    if (
      before !== undefined &&
      before.listener === listener.ref &&
      sameItems(before.config.virtualHosts, virtualHosts)
    ) {
      config = before.config;
    } else {
      config = { name, virtualHosts, provenance: provenance() };
      state?.routeConfigs.set(name, { listener: listener.ref, config });
    }
    ctx.ir.routeConfigs[name] = config;
    ownRouteConfig(ctx, name);
    return config;
  };
  const provenanceOf = (key: string, hosts: readonly HttpHost[]) =>
    keptHostsProvenance(state, `${key} ${listener.id}`, listener.ref, hosts);
  const addRouteConfig = (name: string, hosts: readonly HttpHost[]) =>
    placeRouteConfig(
      name,
      hosts.map((h) => virtualHost(h, routesFor(h), state)),
      () => provenanceOf(`route-config ${name}`, hosts),
    );
  if (state && kept && kept.build.hcm === hcm) {
    patchListener(
      ctx,
      kept.build,
      kept.dirty,
      (h) => virtualHost(h, routesFor(h), state),
      placeRouteConfig,
      addRouteConfig,
    );
    return;
  }
  const reports: DiagnosticInput[] = [];
  const report = (d: DiagnosticInput) => {
    reports.push(d);
    ctx.report(d);
  };
  const tlsLayer = listener.stack.includes('TLS');
  const chains: IRFilterChain[] = [];
  const tlsConfigs: ListenerBuild['tls'] = [];
  const tlsOf = new Map<HttpHost, number>();
  if (tlsLayer) {
    // SNI carries no port, so "*.local" and "*.local:8500" share one chain (as in Emissary).
    const bySni = new Map<string, HttpHost[]>();
    for (const host of bound) {
      if (!host.tls) continue;
      const sni = host.hostname.replace(/:[0-9]+$/, '');
      if (sni !== '*' && sni.endsWith('*')) {
        report({
          code: 'HOST_TLS_PREFIX_GLOB',
          resource: host.ref,
          path: '/spec/hostname',
          message: `Envoy matches SNI only by exact name or a leading "*."; hostname '${host.hostname}' gets no TLS filter chain on Listener ${listener.id}; use an exact name or "*.domain"`,
        });
        continue;
      }
      const group = bySni.get(sni);
      if (!group) {
        bySni.set(sni, [host]);
      } else if (canonicalJson(group[0]!.tls) !== canonicalJson(host.tls)) {
        report({
          code: 'HOST_TLS_SNI_CONFLICT',
          resource: host.ref,
          path: '/spec/tlsSecret',
          message: `Host ${group[0]!.id} terminates TLS for SNI '${sni}' with other settings; TLS connections for '${sni}' use those, so give both Hosts the same certificate and TLS settings`,
        });
      } else {
        group.push(host);
      }
    }
    for (const [sni, hosts] of bySni) {
      const first = hosts[0]!;
      const name = `${listener.id}/tls/${first.id}`;
      const config = addRouteConfig(name, hosts);
      for (const h of hosts) tlsOf.set(h, tlsConfigs.length);
      tlsConfigs.push({ name, hosts, config });
      const tls = first.tls!;
      const provenance = provenanceOf(`chain ${name}`, hosts);
      // The chain of the last compile when made of the same parts (so the listener compares by identity).
      const before = state?.chains.get(name);
      if (
        before !== undefined &&
        before.kind === 'http' &&
        before.tls === tls &&
        before.http === hcm &&
        before.provenance === provenance &&
        (sni === '*' ? before.match.serverNames === undefined : before.match.serverNames?.[0] === sni)
      ) {
        chains.push(before);
        continue;
      }
      const chain: IRFilterChain = {
        kind: 'http',
        name: `tls/${first.id}`,
        match: sni === '*' ? { transportProtocol: 'tls' } : { serverNames: [sni], transportProtocol: 'tls' },
        tls,
        routeConfigName: name,
        http: hcm,
        provenance,
      };
      state?.chains.set(name, chain);
      chains.push(chain);
    }
  }

  const cleartextName = `${listener.id}/cleartext`;
  const cleartext = addRouteConfig(cleartextName, bound);
  chains.push({
    kind: 'http',
    name: 'cleartext',
    match: {},
    routeConfigName: cleartextName,
    http: hcm,
    provenance: provenanceOf('bound', bound),
  });
  const listenerFilters: IRListener['listenerFilters'] = [];
  for (const layer of listener.stack) {
    if (layer === 'PROXY') listenerFilters.push('proxy_protocol');
    if (layer === 'TLS') listenerFilters.push('tls_inspector');
  }
  let ir: IRListener = {
    name: listener.id,
    address: '0.0.0.0',
    port: listener.port,
    listenerFilters,
    filterChains: chains,
    provenance: provenanceOf('bound', bound),
  };
  if (listener.statsPrefix) ir.statsPrefix = listener.statsPrefix;
  if (module.config.buffer_limit_bytes) ir.perConnectionBufferLimitBytes = module.config.buffer_limit_bytes;
  // Equal to the last compile's: that object again, so lowering finds it by identity.
  const keptListener = state?.listeners.get(ir.name);
  if (keptListener !== undefined && deepEqual(keptListener, ir)) ir = keptListener;
  else state?.listeners.set(ir.name, ir);
  ctx.ir.listeners[ir.name] = ir;
  if (state) {
    const position = new Map<HttpHost, number>();
    for (let i = 0; i < bound.length; i++) position.set(bound[i]!, i);
    state.listenerBuilds.set(listener.id, {
      listener,
      bound,
      hcm,
      reports,
      tls: tlsConfigs,
      tlsOf,
      position,
      cleartext,
      ir,
    });
  }
}

/**
 * The Listener's last build again, with the route configurations of the `dirty` Hosts made
 * again (their TLS configuration, and their virtual host in the cleartext one), in the order
 * a full build writes them.
 */
function patchListener(
  ctx: PassContext,
  build: ListenerBuild,
  dirty: ReadonlySet<HttpHost>,
  virtualHostOf: (host: HttpHost) => IRVirtualHost,
  placeRouteConfig: (
    name: string,
    virtualHosts: IRVirtualHost[],
    provenance: () => ResourceRef[],
  ) => IRRouteConfig,
  addRouteConfig: (name: string, hosts: readonly HttpHost[]) => IRRouteConfig,
): void {
  for (const d of build.reports) ctx.report(d);
  // Hosts are visited in a full build's order (TLS chains, then the cleartext chain's Hosts):
  // a Mapping's route names are listed in the order its routes are first built.
  const touched = new Set<number>();
  const positions: number[] = [];
  for (const host of dirty) {
    const i = build.position.get(host);
    if (i === undefined) continue;
    positions.push(i);
    const t = build.tlsOf.get(host);
    if (t !== undefined) touched.add(t);
  }
  // Thousands of TLS configurations (one per Host) are written again as they were: the record and
  // the owned list read once, the touched ones (a few) made again in their place.
  const routeConfigs = ctx.ir.routeConfigs;
  const owned = ownedRouteConfigs(ctx);
  const tls = build.tls;
  for (let t = 0; t < tls.length; t++) {
    const entry = tls[t]!;
    if (touched.size > 0 && touched.has(t)) entry.config = addRouteConfig(entry.name, entry.hosts);
    else {
      routeConfigs[entry.name] = entry.config;
      owned.push(entry.name);
    }
  }
  let virtualHosts: IRVirtualHost[] | undefined;
  if (positions.length > 0) {
    virtualHosts = build.cleartext.virtualHosts.slice();
    positions.sort((a, b) => a - b);
    for (const i of positions) virtualHosts[i] = virtualHostOf(build.bound[i]!);
  }
  const cleartext = build.cleartext;
  if (virtualHosts === undefined) {
    ctx.ir.routeConfigs[cleartext.name] = cleartext;
    ownRouteConfig(ctx, cleartext.name);
  } else build.cleartext = placeRouteConfig(cleartext.name, virtualHosts, () => cleartext.provenance);
  ctx.ir.listeners[build.ir.name] = build.ir;
}

/** Recorded so the finalize pass shares only the route configurations this plugin made. */
function ownRouteConfig(ctx: PassContext, name: string): void {
  ownedRouteConfigs(ctx).push(name);
}

function ownedRouteConfigs(ctx: PassContext): string[] {
  let owned = ctx.ir.ext[ExtKey.ownedRouteConfigs] as string[] | undefined;
  if (!owned) {
    owned = [];
    ctx.ir.ext[ExtKey.ownedRouteConfigs] = owned;
  }
  return owned;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
