import { compareStrings, type XdsResources } from '@attache/core';

/**
 * The parts of a configuration a feature plugin owns, compared with
 * Emissary's expected output beside the routing comparison: the HTTP filter
 * chain (which filters, in which order), each feature filter's config, the
 * per-route config of those filters, and the clusters the filters call.
 * Names are not behaviour: a filter's cluster is compared by what it is.
 */

type Json = Record<string, unknown>;

export interface FeaturePart {
  /** 'filter order', 'filter config', 'per-route config', 'cluster'. */
  part: string;
  /** Which one: a filter name, a route's host and path, a cluster's role. */
  key: string;
  ok: boolean;
  /** Both sides, when they differ. */
  detail?: string;
}

/** Which HTTP filters a feature owns, and the fields of its config that name clusters. */
export interface FeatureFilter {
  filter: string;
  clusterPaths: string[][];
}

export const extAuthzFilter: FeatureFilter = {
  filter: 'envoy.filters.http.ext_authz',
  clusterPaths: [
    ['grpc_service', 'envoy_grpc', 'cluster_name'],
    ['http_service', 'server_uri', 'cluster'],
  ],
};

interface Side {
  /** Each HTTP connection manager's filter names, in order, by listener port and chain index. */
  chains: Array<{ where: string; filters: Array<{ name: string; config: Json }> }>;
  /** Route configurations: virtual hosts with domains and routes. */
  routeConfigs: Json[];
  clusters: Map<string, Json>;
}

function hcmOf(chain: Json): Json | undefined {
  for (const f of (chain.filters as Json[] | undefined) ?? []) {
    const config = f.typed_config as Json | undefined;
    if (config && Array.isArray(config.http_filters)) return config;
  }
  return undefined;
}

/** Emissary's static bootstrap (expected.json). */
export function sideFromBootstrap(bootstrap: Json): Side {
  const statics = (bootstrap.static_resources ?? {}) as Json;
  const side: Side = { chains: [], routeConfigs: [], clusters: new Map() };
  for (const l of (statics.listeners as Json[] | undefined) ?? []) {
    const address = ((l.address as Json)?.socket_address ?? {}) as Json;
    // Emissary's own readiness listener is not behaviour.
    if (address.port_value === 8006 && address.address === '127.0.0.1') continue;
    ((l.filter_chains as Json[] | undefined) ?? []).forEach((chain, i) => {
      const hcm = hcmOf(chain);
      if (!hcm) return;
      side.chains.push({
        where: `${address.port_value}#${i}`,
        filters: (hcm.http_filters as Json[]).map((f) => ({
          name: String(f.name),
          config: (f.typed_config as Json) ?? {},
        })),
      });
      if (hcm.route_config) side.routeConfigs.push(hcm.route_config as Json);
    });
  }
  for (const c of (statics.clusters as Json[] | undefined) ?? []) side.clusters.set(String(c.name), c);
  return side;
}

/** Attaché's xDS resources. */
export function sideFromXds(xds: XdsResources): Side {
  const side: Side = { chains: [], routeConfigs: [], clusters: new Map() };
  for (const l of xds['type.googleapis.com/envoy.config.listener.v3.Listener']) {
    const resource = l.resource as Json;
    const address = ((resource.address as Json)?.socket_address ?? {}) as Json;
    ((resource.filter_chains as Json[] | undefined) ?? []).forEach((chain, i) => {
      const hcm = hcmOf(chain);
      if (!hcm) return;
      side.chains.push({
        where: `${address.port_value}#${i}`,
        filters: (hcm.http_filters as Json[]).map((f) => ({
          name: String(f.name),
          config: (f.typed_config as Json) ?? {},
        })),
      });
    });
  }
  for (const rc of xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'])
    side.routeConfigs.push(rc.resource as Json);
  for (const c of xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'])
    side.clusters.set(c.name, c.resource as Json);
  return side;
}

/** proto3-JSON values that mean the same: null is unset, "5.000s" is "5s". */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      const v = (value as Json)[key];
      // proto3: null and an empty list are the same as absent.
      if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      out[key] = canonical(v);
    }
    return out;
  }
  if (typeof value === 'string' && /^\d+(\.\d+)?s$/.test(value)) return `${Number(value.slice(0, -1))}s`;
  return value;
}

const text = (value: unknown) => JSON.stringify(canonical(value));

function getPath(value: Json, path: string[]): unknown {
  let at: unknown = value;
  for (const key of path) at = at && typeof at === 'object' ? (at as Json)[key] : undefined;
  return at;
}

function withoutPath(value: Json, path: string[]): Json {
  const copy = structuredClone(value);
  let at: Json | undefined = copy;
  for (const key of path.slice(0, -1)) at = at?.[key] as Json | undefined;
  if (at) delete at[path.at(-1)!];
  return copy;
}

/** A cluster by what it does: endpoints, discovery, protocol, limits, TLS (never its name). */
export function clusterByBehaviour(cluster: Json | undefined): Json | undefined {
  if (!cluster) return undefined;
  const endpoints: string[] = [];
  for (const group of (((cluster.load_assignment as Json)?.endpoints as Json[]) ?? []) as Json[]) {
    for (const lb of (group.lb_endpoints as Json[]) ?? []) {
      const socket = ((lb.endpoint as Json)?.address as Json)?.socket_address as Json | undefined;
      if (socket) endpoints.push(`${socket.address}:${socket.port_value}`);
    }
  }
  const options = cluster.typed_extension_protocol_options as Json | undefined;
  const http2 =
    cluster.http2_protocol_options !== undefined ||
    JSON.stringify(options ?? {}).includes('http2_protocol_options');
  const tls = cluster.transport_socket as Json | undefined;
  return canonical({
    endpoints: endpoints.sort(compareStrings),
    type: cluster.type ?? 'STATIC',
    http2,
    connect_timeout: cluster.connect_timeout,
    lb_policy: cluster.lb_policy ?? 'ROUND_ROBIN',
    dns_lookup_family: cluster.dns_lookup_family ?? 'AUTO',
    circuit_breakers: ((cluster.circuit_breakers as Json)?.thresholds as Json[] | undefined)?.map((t) => ({
      priority: 'DEFAULT',
      ...t,
    })),
    tls: tls ? ((tls.typed_config as Json)?.sni ?? true) : false,
  }) as Json;
}

/**
 * Every route of a side with its path matcher (prefix, path or regex) and its
 * virtual host, in order; Emissary's own diagnostics routes (/ambassador/v0/)
 * left out: they are not behaviour.
 */
export function behaviourRoutes(side: Side): Array<{ path: string; route: Json; vh: Json }> {
  const out: Array<{ path: string; route: Json; vh: Json }> = [];
  for (const rc of side.routeConfigs) {
    for (const vh of (rc.virtual_hosts as Json[]) ?? []) {
      for (const route of (vh.routes as Json[]) ?? []) {
        const match = route.match as Json;
        const path = String(match.prefix ?? match.path ?? (match.safe_regex as Json)?.regex ?? '');
        if (!path.startsWith('/ambassador/v0/')) out.push({ path, route, vh });
      }
    }
  }
  return out;
}

/**
 * One `part` per path either side has (keyed `keyPrefix path`): both sides'
 * sets of views for the path must be equal; a side without it shows 'missing'.
 */
export function comparePathSets(
  part: string,
  expected: Map<string, Set<string>>,
  actual: Map<string, Set<string>>,
  keyPrefix?: string,
): FeaturePart[] {
  return [...new Set([...expected.keys(), ...actual.keys()])].sort(compareStrings).map((path) => {
    const x = [...(expected.get(path) ?? ['missing'])].sort().join(' | ');
    const y = [...(actual.get(path) ?? ['missing'])].sort().join(' | ');
    return {
      part,
      key: keyPrefix ? `${keyPrefix} ${path}` : path,
      ok: x === y,
      ...(x === y ? {} : { detail: `expected ${x}; got ${y}` }),
    };
  });
}

/**
 * Routes keyed by path matcher, with the per-filter config of `filter` each carries (its own,
 * else its virtual host's). Virtual hosts are not part of the key: Emissary names the host in
 * both the domains and an :authority matcher, Attaché in one of them, which the routing
 * comparison judges; here every route with that path must carry the same config.
 */
function perRouteConfigs(side: Side, filter: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { path, route, vh } of behaviourRoutes(side)) {
    const config =
      ((route.typed_per_filter_config as Json | undefined)?.[filter] as Json | undefined) ??
      ((vh.typed_per_filter_config as Json | undefined)?.[filter] as Json | undefined);
    const set = out.get(path) ?? new Set<string>();
    set.add(config ? text(config) : 'none');
    out.set(path, set);
  }
  return out;
}

/** Compares the feature parts of `expected` (Emissary) and `actual` (Attaché), for the feature filters either side has. */
export function compareFeatureParts(
  expected: Side,
  actual: Side,
  featureFilters: readonly FeatureFilter[],
): FeaturePart[] {
  const parts: FeaturePart[] = [];
  const present = featureFilters.filter((f) =>
    [expected, actual].some((s) => s.chains.some((c) => c.filters.some((x) => x.name === f.filter))),
  );
  if (present.length === 0) return parts;
  // 1. The filter chain: which filters, in which order (every HCM on each side).
  const orders = (s: Side) =>
    [...new Set(s.chains.map((c) => c.filters.map((f) => f.name).join(' → ')))].sort();
  const e = orders(expected);
  const a = orders(actual);
  parts.push({
    part: 'filter order',
    key: 'http_filters',
    ok: text(e) === text(a),
    ...(text(e) === text(a) ? {} : { detail: `expected ${e.join(' | ')}; got ${a.join(' | ')}` }),
  });
  for (const feature of present) {
    const configs = (s: Side) => {
      const found = s.chains.flatMap((c) => c.filters.filter((f) => f.name === feature.filter));
      return found[0]?.config;
    };
    const ec = configs(expected);
    const ac = configs(actual);
    // 2. The filter config, cluster names aside.
    const strip = (config: Json | undefined) =>
      config ? feature.clusterPaths.reduce((c, p) => withoutPath(c, p), config) : undefined;
    const same = text(strip(ec)) === text(strip(ac));
    parts.push({
      part: 'filter config',
      key: feature.filter,
      ok: same,
      ...(same ? {} : { detail: `expected ${text(strip(ec))}; got ${text(strip(ac))}` }),
    });
    // 3. The cluster the filter calls, by behaviour.
    const clusterOf = (s: Side, config: Json | undefined) => {
      for (const p of feature.clusterPaths) {
        const name = config ? getPath(config, p) : undefined;
        if (typeof name === 'string') return clusterByBehaviour(s.clusters.get(name));
      }
      return undefined;
    };
    const ek = clusterOf(expected, ec);
    const ak = clusterOf(actual, ac);
    parts.push({
      part: 'cluster',
      key: feature.filter,
      ok: text(ek) === text(ak),
      ...(text(ek) === text(ak) ? {} : { detail: `expected ${text(ek)}; got ${text(ak)}` }),
    });
    // 4. The per-route config of the filter, per virtual host and path.
    parts.push(
      ...comparePathSets(
        'per-route config',
        perRouteConfigs(expected, feature.filter),
        perRouteConfigs(actual, feature.filter),
        feature.filter,
      ),
    );
  }
  return parts;
}
