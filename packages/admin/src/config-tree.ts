import { type ResourceRef, type Snapshot, TypeUrl } from '@attache/core';
import { type Json, type JsonObject, toSnakeKeys } from '@attache/explain';
import { type CertificateSummary, pemOfDataSource, summarizeCertificate } from './certificate-summary.js';

/**
 * What exists, as the UI shows it: Listeners → filter chains → virtual hosts
 * (Hosts) → routes (Mappings) → clusters → endpoints, read from the snapshot's
 * Envoy resources, each with the input resources behind it.
 */
export interface ConfigTree {
  listeners: ListenerNode[];
  clusters: Map<string, ClusterNode>;
  secrets: SecretNode[];
}

export interface ListenerNode {
  name: string;
  address: string;
  provenance: ResourceRef[];
  chains: ChainNode[];
}

export interface ChainNode {
  index: number;
  name?: string;
  /** 'SNI a.example.com, TLS' or 'any connection'. */
  match: string;
  /** Secrets the chain's TLS context names. */
  secrets: string[];
  routeConfig?: { name: string; provenance: ResourceRef[]; virtualHosts: VirtualHostNode[] };
  /** TCP proxy target clusters. */
  tcpClusters: string[];
}

export interface VirtualHostNode {
  name: string;
  domains: string[];
  /** The Host (or other inputs) whose key matches the virtual host's name. */
  provenance: ResourceRef[];
  routes: RouteNode[];
}

export interface RouteNode {
  name: string;
  match: string;
  action: string;
  clusters: string[];
  provenance: ResourceRef[];
}

export interface ClusterNode {
  name: string;
  type: string;
  endpoints: string[];
  provenance: ResourceRef[];
}

export interface SecretNode {
  name: string;
  /** Certificates by subject, fingerprint and expiry; no key material. */
  certificate?: CertificateSummary;
  kind: string;
  provenance: ResourceRef[];
}

export function buildConfigTree(snapshot: Snapshot): ConfigTree {
  const rcs = new Map(
    (snapshot.resources[TypeUrl.RouteConfiguration] ?? []).map((r) => [
      r.name,
      { json: snake(r.resource), provenance: r.provenance },
    ]),
  );
  const clas = new Map(
    (snapshot.resources[TypeUrl.ClusterLoadAssignment] ?? []).map((r) => [r.name, snake(r.resource)]),
  );
  const clusters = new Map<string, ClusterNode>();
  for (const c of snapshot.resources[TypeUrl.Cluster] ?? []) {
    const json = snake(c.resource);
    const eds = obj(json.eds_cluster_config);
    const assignment =
      obj(json.load_assignment) ?? clas.get(str(eds?.service_name) ?? c.name) ?? ({} as JsonObject);
    clusters.set(c.name, {
      name: c.name,
      type: str(json.type) ?? (json.cluster_type ? 'custom' : 'EDS'),
      endpoints: endpointsOf(assignment),
      provenance: c.provenance,
    });
  }
  const listeners = (snapshot.resources[TypeUrl.Listener] ?? []).map((l): ListenerNode => {
    const json = snake(l.resource);
    const socket = obj(obj(json.address)?.socket_address);
    return {
      name: l.name,
      address: socket
        ? `${str(socket.address) ?? ''}:${num(socket.port_value) ?? ''}`
        : '(no socket address)',
      provenance: l.provenance,
      chains: arr(json.filter_chains).map((chain, index) => chainNode(obj(chain) ?? {}, index, rcs)),
    };
  });
  const secrets = (snapshot.resources[TypeUrl.Secret] ?? []).map((s): SecretNode => {
    const json = snake(s.resource);
    const tls = obj(json.tls_certificate);
    const pem = tls ? pemOfDataSource(obj(tls.certificate_chain)) : undefined;
    const ca = obj(json.validation_context);
    const caPem = ca ? pemOfDataSource(obj(ca.trusted_ca)) : undefined;
    const certificate = pem ? summarizeCertificate(pem) : caPem ? summarizeCertificate(caPem) : undefined;
    return {
      name: s.name,
      kind: tls ? 'certificate and key' : ca ? 'trusted CA' : 'other',
      ...(certificate ? { certificate } : {}),
      provenance: s.provenance,
    };
  });
  return { listeners, clusters, secrets };
}

function chainNode(
  chain: JsonObject,
  index: number,
  rcs: ReadonlyMap<string, { json: JsonObject; provenance: ResourceRef[] }>,
): ChainNode {
  const m = obj(chain.filter_chain_match) ?? {};
  const parts: string[] = [];
  const names = arr(m.server_names).map(String);
  if (names.length > 0) parts.push(`SNI ${names.join(', ')}`);
  if (str(m.transport_protocol))
    parts.push(str(m.transport_protocol) === 'tls' ? 'TLS' : String(m.transport_protocol));
  const ranges = arr(m.source_prefix_ranges).length + arr(m.prefix_ranges).length;
  if (ranges > 0) parts.push(`${ranges} address range(s)`);
  const node: ChainNode = {
    index,
    match: parts.length > 0 ? parts.join(', ') : 'any connection',
    secrets: secretNamesIn(chain.transport_socket),
    tcpClusters: [],
  };
  const name = str(chain.name);
  if (name) node.name = name;
  for (const f of arr(chain.filters)) {
    const filter = obj(f) ?? {};
    const config = obj(filter.typed_config) ?? {};
    if (str(filter.name) === 'envoy.filters.network.http_connection_manager') {
      const rcName = str(obj(config.rds)?.route_config_name);
      const inline = obj(config.route_config);
      const rc = rcName ? rcs.get(rcName) : inline ? { json: inline, provenance: [] } : undefined;
      if (rc) {
        node.routeConfig = {
          name: rcName ?? str(inline?.name) ?? '(inline)',
          provenance: rc.provenance,
          virtualHosts: virtualHosts(rc.json, rc.provenance),
        };
      } else if (rcName) {
        node.routeConfig = { name: rcName, provenance: [], virtualHosts: [] };
      }
    } else if (str(filter.name) === 'envoy.filters.network.tcp_proxy') {
      const cluster = str(config.cluster);
      if (cluster) node.tcpClusters.push(cluster);
      for (const w of arr(obj(config.weighted_clusters)?.clusters)) {
        const n = str(obj(w)?.name);
        if (n) node.tcpClusters.push(n);
      }
    }
  }
  return node;
}

function virtualHosts(rc: JsonObject, provenance: readonly ResourceRef[]): VirtualHostNode[] {
  const byKey = (name: string, kinds: readonly string[]) =>
    provenance.filter((p) => kinds.includes(p.kind) && `${p.namespace ?? ''}/${p.name}` === name);
  return arr(rc.virtual_hosts).map((v) => {
    const vh = obj(v) ?? {};
    const name = str(vh.name) ?? '';
    return {
      name,
      domains: arr(vh.domains).map(String),
      provenance: byKey(name, ['Host']),
      routes: arr(vh.routes).map((r) => {
        const route = obj(r) ?? {};
        const routeName = str(route.name) ?? '';
        const base = routeName.replace(/:https?$/, '');
        const isProbe = /^internal_\w+_probe_mapping$/.test(routeName);
        return {
          name: routeName,
          match: matchText(obj(route.match) ?? {}),
          ...actionOf(route),
          provenance: isProbe
            ? provenance.filter((p) => p.kind === 'Module')
            : byKey(base, ['Mapping', 'TCPMapping']),
        };
      }),
    };
  });
}

function matchText(m: JsonObject): string {
  const path =
    str(m.prefix) !== undefined
      ? `prefix ${str(m.prefix)}`
      : str(m.path) !== undefined
        ? `path ${str(m.path)}`
        : obj(m.safe_regex)
          ? `regex ${str(obj(m.safe_regex)?.regex) ?? ''}`
          : str(m.path_separated_prefix) !== undefined
            ? `path prefix ${str(m.path_separated_prefix)}`
            : 'any path';
  const headers = arr(m.headers).map((h) => str(obj(h)?.name) ?? '');
  const fraction = obj(m.runtime_fraction) ? ' (a share of requests)' : '';
  return `${path}${headers.length > 0 ? `, headers ${headers.join(', ')}` : ''}${fraction}`;
}

function actionOf(route: JsonObject): { action: string; clusters: string[] } {
  const forward = obj(route.route);
  if (forward) {
    const clusters = str(forward.cluster)
      ? [str(forward.cluster)!]
      : arr(obj(forward.weighted_clusters)?.clusters).flatMap((c) => {
          const n = str(obj(c)?.name);
          return n ? [n] : [];
        });
    const rewrite = str(forward.prefix_rewrite);
    return { action: `forward${rewrite !== undefined ? `, rewrite to ${rewrite}` : ''}`, clusters };
  }
  const redirect = obj(route.redirect);
  if (redirect) return { action: 'redirect', clusters: [] };
  const direct = obj(route.direct_response);
  if (direct) return { action: `answer ${num(direct.status) ?? ''}`, clusters: [] };
  return { action: 'other', clusters: [] };
}

function secretNamesIn(value: Json | undefined): string[] {
  const names = new Set<string>();
  const walk = (v: Json | undefined, key: string): void => {
    if (Array.isArray(v)) for (const item of v) walk(item, key);
    else if (v && typeof v === 'object') {
      if (
        (key === 'tls_certificate_sds_secret_configs' || key === 'validation_context_sds_secret_config') &&
        typeof (v as JsonObject).name === 'string'
      ) {
        names.add((v as JsonObject).name as string);
      }
      for (const [k, child] of Object.entries(v)) walk(child, k);
    }
  };
  walk(value, '');
  return [...names].sort();
}

function endpointsOf(assignment: JsonObject): string[] {
  const out: string[] = [];
  for (const locality of arr(assignment.endpoints)) {
    for (const lb of arr(obj(locality)?.lb_endpoints)) {
      const socket = obj(obj(obj(obj(lb)?.endpoint)?.address)?.socket_address);
      if (socket) out.push(`${str(socket.address) ?? ''}:${num(socket.port_value) ?? ''}`);
    }
  }
  return out;
}

function snake(resource: Record<string, unknown>): JsonObject {
  return (obj(toSnakeKeys(resource as Json)) ?? {}) as JsonObject;
}
function obj(v: unknown): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
}
function arr(v: unknown): Json[] {
  return Array.isArray(v) ? (v as Json[]) : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}
