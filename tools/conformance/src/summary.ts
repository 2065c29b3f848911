import { compareStrings } from '@attache/core';
import {
  type EnvoyModel,
  type FilterChainModel,
  fractionValue,
  type HeaderOps,
  type JsonObject,
  normaliseCors,
  type RouteModel,
  regexFullMatch,
  stableStringify,
  type VirtualHostModel,
} from '@attache/explain';
import { canon, dropDefaults } from './canon.js';
import type { ClusterNamer } from './cluster-identity.js';

/**
 * A behavioural summary of one configuration: per listener (address:port),
 * per filter chain (by its match), per virtual host (by its domains), the
 * ordered routes with match, action, rewrites, timeouts, header changes and
 * the clusters they reach described by behaviour. Names never appear.
 */
export type BehaviourSummary = Record<string, ListenerSummary>;

export interface ListenerSummary {
  listenerFilters: string[];
  settings?: unknown;
  chains: Record<string, ChainSummary>;
}

export interface ChainSummary {
  tls?: unknown;
  networkFilters?: string[];
  hcm?: { settings: unknown; httpFilters: unknown[] };
  tcp?: unknown;
  routeConfig?: { headerOps?: unknown; virtualHosts: Record<string, VirtualHostSummary> };
}

export interface VirtualHostSummary {
  settings?: unknown;
  routes: unknown[];
}

/** Envoy's defaults for connection manager fields: a field at its default is not behaviour. */
export const HCM_DEFAULTS: Record<string, unknown> = {
  use_remote_address: false,
  xff_num_trusted_hops: 0,
  skip_xff_append: false,
  normalize_path: false,
  merge_slashes: false,
  preserve_external_request_id: false,
  generate_request_id: true,
  strip_matching_host_port: false,
  strip_any_host_port: false,
  server_name: 'envoy',
  server_header_transformation: 'OVERWRITE',
  codec_type: 'AUTO',
  proxy_100_continue: false,
  forward_client_cert_details: 'SANITIZE',
  path_with_escaped_slashes_action: 'IMPLEMENTATION_SPECIFIC_DEFAULT',
  http_protocol_options: { accept_http_10: false },
  http2_protocol_options: {},
  common_http_protocol_options: {},
  headers_with_underscores_action: 'ALLOW',
};

const LISTENER_DEFAULTS: Record<string, unknown> = {
  traffic_direction: 'UNSPECIFIED',
  use_original_dst: false,
};

export function summarise(model: EnvoyModel, clusterNamer: ClusterNamer): BehaviourSummary {
  const out: BehaviourSummary = {};
  for (const l of model.listeners) {
    const chains: Record<string, ChainSummary> = {};
    for (const chain of l.filterChains) chains[chainKey(chain)] = chainSummary(model, chain, clusterNamer);
    if (l.defaultFilterChain)
      chains['default chain'] = chainSummary(model, l.defaultFilterChain, clusterNamer);
    const summary: ListenerSummary = { listenerFilters: l.listenerFilters, chains };
    const {
      name: _n,
      address: _a,
      filter_chains: _f,
      listener_filters: _l,
      default_filter_chain: _d,
      stat_prefix: _s,
      ...rest
    } = l.raw;
    const settings = canon(dropDefaults(rest, LISTENER_DEFAULTS));
    if (settings !== undefined) summary.settings = settings;
    out[`${l.address}:${l.port}`] = summary;
  }
  return out;
}

export function chainKey(chain: FilterChainModel): string {
  const m = chain.match;
  const parts = [
    m.transportProtocol ?? 'any transport',
    m.serverNames.length > 0 ? `SNI ${[...m.serverNames].sort().join(',')}` : 'any SNI',
  ];
  if (m.applicationProtocols.length > 0) parts.push(`ALPN ${[...m.applicationProtocols].sort().join(',')}`);
  if (m.destinationPort !== undefined) parts.push(`port ${m.destinationPort}`);
  if (Object.keys(m.other).length > 0) parts.push(stableStringify(m.other));
  return `[${parts.join(' / ')}]`;
}

/**
 * A filter's config with the clusters it calls (ext_authz, ratelimit, a trace collector:
 * `cluster_name` / `cluster` naming a cluster of the model) named by behaviour, not by name.
 */
function clustersByBehaviour(model: EnvoyModel, value: unknown, namer: ClusterNamer): unknown {
  if (Array.isArray(value)) return value.map((v) => clustersByBehaviour(model, v, namer));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      (key === 'cluster_name' || key === 'cluster') && typeof v === 'string' && model.clusters.has(v)
        ? namer(model, v)
        : clustersByBehaviour(model, v, namer);
  }
  return out;
}

function chainSummary(model: EnvoyModel, chain: FilterChainModel, namer: ClusterNamer): ChainSummary {
  const out: ChainSummary = {};
  if (chain.tls) out.tls = canon(chain.tls);
  if (chain.networkFilters.length > 0) out.networkFilters = chain.networkFilters;
  if (chain.tcpProxy) {
    out.tcp = chain.tcpProxy.clusters.map((c) => ({ cluster: namer(model, c.name), weight: c.weight }));
  }
  const hcm = chain.hcm;
  if (hcm) {
    out.hcm = {
      settings: canon(dropDefaults(hcm.settings, HCM_DEFAULTS)) ?? {},
      httpFilters: hcm.httpFilters.map((f) => {
        const config = canon(clustersByBehaviour(model, f.config, namer));
        return config === undefined ? f.name : { name: f.name, config };
      }),
    };
    const rc = hcm.routeConfig;
    if (rc) {
      const virtualHosts: Record<string, VirtualHostSummary> = {};
      for (const vh of rc.virtualHosts) {
        const key = [...vh.domains]
          .map((d) => d.toLowerCase())
          .sort()
          .join(' ');
        virtualHosts[key] = vhostSummary(model, vh, namer, new Set(hcm.httpFilters.map((f) => f.name)));
      }
      out.routeConfig = { virtualHosts };
      const ops = headerOpsSummary(rc.headerOps);
      if (ops) out.routeConfig.headerOps = ops;
    }
  }
  return out;
}

function vhostSummary(
  model: EnvoyModel,
  vh: VirtualHostModel,
  namer: ClusterNamer,
  filters: ReadonlySet<string>,
): VirtualHostSummary {
  const settings: Record<string, unknown> = {};
  const ops = headerOpsSummary(vh.headerOps);
  if (ops) settings.headerOps = ops;
  if (vh.requireTls) settings.requireTls = vh.requireTls;
  if (vh.cors) settings.cors = canon(normaliseCors(vh.cors));
  if (vh.retryPolicy) settings.retryPolicy = canon(vh.retryPolicy);
  const tpfc = forPresentFilters(vh.typedPerFilterConfig, filters);
  if (tpfc) settings.typedPerFilterConfig = canon(tpfc);
  const out: VirtualHostSummary = {
    routes: withoutShadowedTwins(vh.routes.map((r) => routeSummary(model, vh, r, namer, filters))),
  };
  if (Object.keys(settings).length > 0) out.settings = settings;
  return out;
}

export function routeSummary(
  model: EnvoyModel,
  vh: VirtualHostModel,
  r: RouteModel,
  namer: ClusterNamer,
  filters: ReadonlySet<string>,
): unknown {
  const out: Record<string, unknown> = { match: matchSummary(vh, r.match) };
  if (r.route) out.route = routeActionSummary(model, r, r.route, namer);
  if (r.redirect) out.redirect = canon(redirectSpelling(r.redirect));
  if (r.directResponse) out.directResponse = canon(r.directResponse);
  const ops = headerOpsSummary(r.headerOps);
  if (ops) out.headerOps = ops;
  const tpfc = { ...(forPresentFilters(r.typedPerFilterConfig, filters) ?? {}) };
  const cors =
    (r.route?.cors as JsonObject | undefined) ?? (tpfc['envoy.filters.http.cors'] as JsonObject | undefined);
  delete tpfc['envoy.filters.http.cors'];
  if (cors && out.route) (out.route as Record<string, unknown>).cors = canon(normaliseCors(cors));
  if (Object.keys(tpfc).length > 0) out.typedPerFilterConfig = canon(tpfc);
  return out;
}

/**
 * Per-filter config for a filter the connection manager does not run changes
 * nothing (Emissary disables ext_authz on routes even with no ext_authz filter);
 * the CORS policy is kept whatever the filters, as the route's CORS policy.
 */
function forPresentFilters(
  tpfc: JsonObject | undefined,
  filters: ReadonlySet<string>,
): JsonObject | undefined {
  if (!tpfc) return undefined;
  const out: JsonObject = {};
  for (const [name, config] of Object.entries(tpfc)) {
    if (filters.has(name) || name === 'envoy.filters.http.cors') out[name] = config;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const REDIRECT_CODE_NAMES = [
  'MOVED_PERMANENTLY',
  'FOUND',
  'SEE_OTHER',
  'TEMPORARY_REDIRECT',
  'PERMANENT_REDIRECT',
];

/** response_code by name; MOVED_PERMANENTLY (the default) left out. */
function redirectSpelling(redirect: JsonObject): JsonObject {
  const { response_code, ...rest } = redirect;
  const name = typeof response_code === 'number' ? REDIRECT_CODE_NAMES[response_code] : response_code;
  return name === undefined || name === 'MOVED_PERMANENTLY' ? rest : { ...rest, response_code: name };
}

/**
 * The route match without what cannot change the outcome: a 100% runtime
 * fraction, case_sensitive at its default, and an `:authority` matcher that
 * every domain of the virtual host already satisfies (Emissary repeats the
 * Host's name there; the virtual host has already selected on it).
 */
function matchSummary(vh: VirtualHostModel, match: JsonObject): unknown {
  const out: Record<string, unknown> = { ...match };
  if (match.runtime_fraction !== undefined && fractionValue(match.runtime_fraction) >= 1)
    delete out.runtime_fraction;
  if (Array.isArray(match.headers)) {
    const headers = match.headers.filter((h) => !redundantAuthorityMatch(vh, h as JsonObject));
    if (headers.length > 0) {
      out.headers = headers.map((h) => canon(h)).sort(byStable);
    } else delete out.headers;
  }
  if (Array.isArray(match.query_parameters)) {
    out.query_parameters = match.query_parameters.map((q) => canon(q)).sort(byStable);
  }
  return canon(out);
}

function redundantAuthorityMatch(vh: VirtualHostModel, h: JsonObject): boolean {
  if (h.name !== ':authority' || h.invert_match === true) return false;
  const sm = h.string_match as JsonObject | undefined;
  if (!sm || vh.domains.length === 0) return false;
  return vh.domains.every((domain) => {
    const d = domain.toLowerCase();
    // '*.example.com' selects only hosts ending in '.example.com': a suffix matcher it implies is redundant.
    if (d.startsWith('*') && d !== '*' && typeof sm.suffix === 'string' && sm.ignore_case !== true) {
      return d.slice(1).endsWith(sm.suffix);
    }
    return !d.includes('*') && stringMatcherAccepts(sm, d);
  });
}

function stringMatcherAccepts(sm: JsonObject, value: string): boolean {
  const v = sm.ignore_case === true ? value.toLowerCase() : value;
  const f = (s: unknown) => (sm.ignore_case === true ? String(s).toLowerCase() : String(s));
  if (typeof sm.exact === 'string') return v === f(sm.exact);
  if (typeof sm.prefix === 'string') return v.startsWith(f(sm.prefix));
  if (typeof sm.suffix === 'string') return v.endsWith(f(sm.suffix));
  if (typeof sm.contains === 'string') return v.includes(f(sm.contains));
  const re = (sm.safe_regex as JsonObject | undefined)?.regex;
  if (typeof re === 'string') return regexFullMatch(re, value);
  return false;
}

const ACTION_NOT_BEHAVIOUR = new Set(['cluster', 'weighted_clusters', 'priority', 'cors']);

function routeActionSummary(
  model: EnvoyModel,
  r: RouteModel,
  action: JsonObject,
  namer: ClusterNamer,
): unknown {
  const out: Record<string, unknown> = {};
  if (typeof action.cluster === 'string')
    out.clusters = [{ cluster: namer(model, action.cluster), weight: 1 }];
  const weighted = action.weighted_clusters as JsonObject | undefined;
  if (weighted && Array.isArray(weighted.clusters)) {
    const entries = weighted.clusters.map((c) => c as JsonObject);
    const total = entries.reduce((sum, c) => sum + Number(canon(c.weight) ?? 0), 0);
    out.clusters = entries
      .map((c) => ({
        cluster: namer(model, String(c.name)),
        weight: total > 0 ? Number(canon(c.weight) ?? 0) / total : 0,
      }))
      .sort(byStable);
  }
  for (const [k, v] of Object.entries(action)) {
    if (ACTION_NOT_BEHAVIOUR.has(k)) continue;
    if (k === 'request_mirror_policies' && Array.isArray(v)) {
      out.mirrors = v.map((m) => {
        const { cluster, ...rest } = m as JsonObject;
        const fraction = (rest.runtime_fraction as JsonObject | undefined)?.default_value;
        return { cluster: namer(model, String(cluster)), fraction: fraction ? fractionValue(fraction) : 1 };
      });
      continue;
    }
    out[k] = canon(v);
  }
  // A prefix rewrite to the prefix itself changes nothing.
  if (typeof action.prefix_rewrite === 'string' && action.prefix_rewrite === r.match.prefix)
    delete out.prefix_rewrite;
  if (out.timeout === undefined) out.timeout = '15000ms';
  if (out.timeout === '0ms') out.timeout = 'disabled';
  return out;
}

function headerOpsSummary(ops: HeaderOps): unknown {
  const out: Record<string, unknown> = {};
  if (ops.requestAdd.length > 0) out.requestAdd = ops.requestAdd;
  if (ops.requestRemove.length > 0) out.requestRemove = [...ops.requestRemove].sort();
  if (ops.responseAdd.length > 0) out.responseAdd = ops.responseAdd;
  if (ops.responseRemove.length > 0) out.responseRemove = [...ops.responseRemove].sort();
  return Object.keys(out).length > 0 ? out : undefined;
}

function byStable(a: unknown, b: unknown): number {
  return compareStrings(stableStringify(a), stableStringify(b));
}

/**
 * Drops a route immediately followed by a route that matches a superset of
 * its requests (same match minus some header matchers) and does the same
 * thing: the pair behaves exactly like the second route alone. This is how
 * Emissary's XFP pairs look when the Host's secure and insecure actions are
 * both Route (`x-forwarded-proto: https` → A, then anything → A).
 */
export function withoutShadowedTwins(routes: unknown[]): unknown[] {
  const out = [...routes];
  for (let i = 0; i < out.length; i++) {
    for (let k = 1; i + 2 * k <= out.length; k++) {
      const first = out.slice(i, i + k) as Array<Record<string, unknown>>;
      const second = out.slice(i + k, i + 2 * k) as Array<Record<string, unknown>>;
      const extras = first.map((r, j) => extraHeaders(r, second[j]!));
      const same = extras[0];
      if (same !== undefined && extras.every((e) => e !== undefined && e === same)) {
        out.splice(i, k);
        i = Math.max(-1, i - 1);
        break;
      }
    }
  }
  return out;
}

/**
 * When `next` equals `route` except that it lacks some of `route`'s header
 * matchers, the missing matchers (as one string); otherwise undefined.
 */
function extraHeaders(route: Record<string, unknown>, next: Record<string, unknown>): string | undefined {
  const { match: m1, ...rest1 } = route;
  const { match: m2, ...rest2 } = next;
  if (stableStringify(rest1) !== stableStringify(rest2)) return undefined;
  const { headers: h1, ...restA } = (m1 ?? {}) as Record<string, unknown>;
  const { headers: h2, ...restB } = (m2 ?? {}) as Record<string, unknown>;
  if (stableStringify(restA) !== stableStringify(restB)) return undefined;
  const first = ((h1 as unknown[] | undefined) ?? []).map((h) => stableStringify(h));
  const second = new Set(((h2 as unknown[] | undefined) ?? []).map((h) => stableStringify(h)));
  if (second.size >= first.length || ![...second].every((h) => first.includes(h))) return undefined;
  return first
    .filter((h) => !second.has(h))
    .sort(compareStrings)
    .join('&');
}
