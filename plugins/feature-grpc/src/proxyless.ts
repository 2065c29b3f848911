import { isIP } from 'node:net';
import {
  compareStrings,
  contentHash,
  HttpModelExt,
  type IR,
  type IRCluster,
  type IREndpoints,
  type IRRoute,
  type IRVirtualHost,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
  readExt,
  TypeUrl,
  type XdsResource,
} from '@attache/core';
import { lowerIR, validateResource } from '@attache/envoy';
import type { GrpcPluginConfig, ProxylessTarget } from './config.js';

type Json = Record<string, unknown>;

/** Names of what a target gets; prefixed so they never meet Envoy's own resources. */
export const proxylessRouteConfigName = (target: string) => `grpc-proxyless/${target}`;
export const proxylessClusterName = (cluster: string) => `grpc-proxyless/${cluster}`;

/** Load-balancing policies gRPC's xDS clients implement. */
const grpcPolicies = new Set(['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', undefined]);

/** An API listener for gRPC clients: HttpConnectionManager over RDS (ADS), router last. */
export function grpcApiListener(name: string, routeConfigName: string): Json {
  return {
    '@type': TypeUrl.Listener,
    name,
    api_listener: {
      api_listener: {
        '@type':
          'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        stat_prefix: name,
        rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
        http_filters: [
          {
            name: 'router',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
          },
        ],
      },
    },
  };
}

/** The virtual host of `target.host`, preferably from a cleartext listener's routes (gRPC clients send no X-Forwarded-Proto). */
function findVirtualHost(ir: IR, target: ProxylessTarget) {
  const model = readExt(ir, HttpModelExt);
  if (!model) return undefined;
  const wanted = new Set(
    Object.keys(model.virtualHosts).filter((name) => {
      const view = model.virtualHosts[name]!;
      return (
        `${view.ref.namespace ?? ''}/${view.ref.name}` === target.host ||
        (!target.host.includes('/') && view.hostname === target.host)
      );
    }),
  );
  if (wanted.size === 0) return undefined;
  const configs = Object.keys(ir.routeConfigs).sort(compareStrings);
  // Cleartext listeners first.
  configs.sort(
    (a, b) => Number(model.routeConfigs[a]?.tls ?? true) - Number(model.routeConfigs[b]?.tls ?? true),
  );
  for (const name of configs) {
    for (const vh of ir.routeConfigs[name]!.virtualHosts) {
      if (wanted.has(vh.name)) {
        const view = model.virtualHosts[vh.name]!;
        return { vh, hostRef: view.ref, probes: new Set(Object.keys(model.builtinRoutes)) };
      }
    }
  }
  return undefined;
}

/**
 * The twin of a compiled cluster that gRPC can use, or why there is none: an
 * EDS cluster with its own endpoints (gRPC wants a weight on each locality)
 * for endpoints and IP addresses, a LOGICAL_DNS cluster for a name resolved by
 * DNS (gRPC resolves it itself, as Envoy's STRICT_DNS cluster would).
 */
function grpcTwin(
  ir: IR,
  cluster: IRCluster,
): { cluster: IRCluster; endpoints?: IREndpoints } | { why: string } {
  if (cluster.tls) return { why: 'it originates TLS, which proxyless gRPC clients configure themselves' };
  if (!grpcPolicies.has(cluster.lbPolicy))
    return {
      why: `its load balancer ${cluster.lbPolicy} is not one gRPC implements (round_robin, least_request, ring_hash)`,
    };
  let endpoints: IREndpoints['endpoints'];
  if (cluster.discovery === 'EDS') {
    endpoints = ir.endpoints[cluster.edsServiceName ?? '']?.endpoints ?? [];
  } else {
    const targets = cluster.targets ?? [];
    if (targets.length === 1 && isIP(targets[0]!.host) === 0) {
      const twin: IRCluster = {
        name: proxylessClusterName(cluster.name),
        discovery: 'LOGICAL_DNS',
        targets: [...targets],
        provenance: cluster.provenance,
      };
      if (cluster.connectTimeoutMs !== undefined) twin.connectTimeoutMs = cluster.connectTimeoutMs;
      if (cluster.lbPolicy !== undefined) twin.lbPolicy = cluster.lbPolicy;
      if (cluster.dnsLookupFamily !== undefined) twin.dnsLookupFamily = cluster.dnsLookupFamily;
      return { cluster: twin };
    }
    if (targets.some((t) => isIP(t.host) === 0))
      return {
        why: `it resolves several names by DNS (${targets.map((t) => t.host).join(', ')}), and gRPC resolves one name per cluster`,
      };
    endpoints = targets.map((t) => ({ address: t.host, port: t.port }));
  }
  const name = proxylessClusterName(cluster.name);
  const twin: IRCluster = {
    name,
    discovery: 'EDS',
    edsServiceName: name,
    provenance: cluster.provenance,
  };
  if (cluster.connectTimeoutMs !== undefined) twin.connectTimeoutMs = cluster.connectTimeoutMs;
  if (cluster.lbPolicy !== undefined) twin.lbPolicy = cluster.lbPolicy;
  if (cluster.circuitBreakers) twin.circuitBreakers = cluster.circuitBreakers;
  return { cluster: twin, endpoints: { name, endpoints, provenance: cluster.provenance } };
}

/** A route as gRPC clients get it: its clusters replaced by their twins, Envoy-only parts left out. */
function grpcRoute(route: IRRoute, twins: ReadonlyMap<string, string>): IRRoute {
  const action = route.action;
  if (action.kind !== 'forward') return route;
  const headers = route.match.headers?.filter((h) => h.name.toLowerCase() !== 'x-forwarded-proto');
  const match = { ...route.match };
  if (headers && headers.length > 0) match.headers = headers;
  else delete match.headers;
  const { shadows: _shadows, ...rest } = action;
  const next: IRRoute = {
    name: route.name,
    match,
    action: { ...rest, clusters: action.clusters.map((c) => ({ ...c, cluster: twins.get(c.cluster)! })) },
    provenance: route.provenance,
  };
  if (route.requestHeadersToAdd) next.requestHeadersToAdd = route.requestHeadersToAdd;
  return next;
}

function emitted(json: Json, provenance: ResourceRef[]): XdsResource {
  return {
    typeUrl: json['@type'] as XdsResource['typeUrl'],
    name: String(json.name ?? json.cluster_name),
    resource: json,
    version: contentHash(json),
    provenance,
    // gRPC clients name every resource they want; Envoy's wildcard LDS/CDS must not get these.
    byNameOnly: true,
  };
}

/**
 * Proxyless gRPC: for each target in the plugin's config, the resources a
 * gRPC xDS client asks for when it dials `xds:///<target>` — an API listener
 * named after the target, a RouteConfiguration with the Host's routes (probe,
 * redirect and direct-response routes left out, X-Forwarded-Proto matches
 * dropped), and for each cluster they use a twin gRPC can use: EDS with a
 * ClusterLoadAssignment whose locality carries a weight, or LOGICAL_DNS for a
 * name resolved by DNS. All of them are sent only to a client that asks
 * for them by name (`byNameOnly`): Envoy's wildcard LDS and CDS never get
 * the API listener or the twin clusters.
 */
export function serveProxyless(ctx: PassContext<GrpcPluginConfig>): void {
  const targets = ctx.config?.proxyless ?? [];
  const done = new Set<string>();
  for (const target of [...targets].sort((a, b) => compareStrings(a.target, b.target))) {
    const found = findVirtualHost(ctx.ir, target);
    if (!found) {
      ctx.report({
        code: 'GRPC_PROXYLESS_TARGET_UNKNOWN',
        message: `proxyless gRPC target ${target.target}: no Host ${target.host} serves routes (plugins: feature-grpc config.proxyless); gRPC clients dialing xds:///${target.target} get no listener. Name an existing Host as namespace/name or hostname`,
      });
      continue;
    }
    const { vh, hostRef, probes } = found;
    const clusters: Record<string, IRCluster> = {};
    const endpoints: Record<string, IREndpoints> = {};
    const twins = new Map<string, string>();
    const refused = new Map<string, string>();
    const routes: IRRoute[] = [];
    for (const route of vh.routes) {
      if (probes.has(route.name) || route.action.kind !== 'forward') continue;
      let usable = true;
      for (const { cluster: name } of route.action.clusters) {
        if (twins.has(name)) continue;
        let why = refused.get(name);
        if (why === undefined) {
          const cluster = ctx.ir.clusters[name];
          const twin = cluster ? grpcTwin(ctx.ir, cluster) : { why: 'it was not compiled' };
          if ('why' in twin) {
            why = twin.why;
            refused.set(name, why);
          } else {
            clusters[twin.cluster.name] = twin.cluster;
            if (twin.endpoints) endpoints[twin.endpoints.name] = twin.endpoints;
            twins.set(name, twin.cluster.name);
            continue;
          }
        }
        usable = false;
        for (const ref of route.provenance) {
          ctx.report({
            code: 'GRPC_PROXYLESS_CLUSTER_UNSUPPORTED',
            resource: ref,
            path: '/spec/service',
            message: `proxyless gRPC target ${target.target} leaves this route out: its cluster ${name} cannot be served to gRPC clients because ${why}`,
          });
        }
      }
      if (usable) routes.push(grpcRoute(route, twins));
    }
    const routeConfigName = proxylessRouteConfigName(target.target);
    const provenance = mergeProvenance([hostRef], ...routes.map((r) => r.provenance));
    const grpcVh: IRVirtualHost = { name: target.target, domains: [target.target], routes, provenance };
    const mini: IR = {
      listeners: {},
      routeConfigs: { [routeConfigName]: { name: routeConfigName, virtualHosts: [grpcVh], provenance } },
      clusters,
      endpoints,
      secrets: {},
      ext: {},
    };
    if (ctx.ir.regexMaxProgramSize !== undefined) mini.regexMaxProgramSize = ctx.ir.regexMaxProgramSize;
    const resources: XdsResource[] = [emitted(grpcApiListener(target.target, routeConfigName), provenance)];
    for (const lowered of lowerIR(mini)) {
      const json = lowered.resource;
      if (lowered.typeUrl === TypeUrl.ClusterLoadAssignment) {
        // gRPC ignores a locality without a weight (and an endpoint set without a locality).
        json.endpoints = ((json.endpoints as Json[] | undefined) ?? []).map((group) => ({
          locality: {},
          ...group,
          load_balancing_weight: 1,
        }));
      }
      resources.push(emitted(json, lowered.provenance));
    }
    for (const resource of resources) {
      const issues = validateResource(resource.resource);
      if (issues.length > 0) {
        for (const ref of resource.provenance.length > 0 ? resource.provenance : [hostRef]) {
          ctx.report({
            code: 'ENVOY_REJECTED',
            resource: ref,
            message: `the proxyless gRPC resource ${resource.name} for target ${target.target} is invalid (${issues[0]!.path} ${issues[0]!.message}); it is left out`,
          });
        }
        continue;
      }
      // Two targets may share a cluster: its twin is emitted once.
      const key = `${resource.typeUrl} ${resource.name}`;
      if (done.has(key)) continue;
      done.add(key);
      ctx.emit(resource);
    }
  }
}
