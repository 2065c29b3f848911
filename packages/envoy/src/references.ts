import {
  compareStrings,
  type IR,
  type IRCluster,
  type IRDownstreamTls,
  type IRFilterChain,
  type IRForwardAction,
  type IRListener,
  type IRRoute,
  type IRRouteConfig,
  type IRUpstreamTls,
  type ResourceRef,
  TypeUrl,
  type XdsTypeUrl,
} from '@attache/core';
import { recordValues } from './lower/record-values.js';

/** The names of the generated resources, by type URL (lookups build no id strings). */
export type EmittedNames = ReadonlyMap<string, ReadonlySet<string>>;

/** Findings by route list: what danglingReferences keeps them in (a Map, or an incremental compiler's memo). */
export interface RouteListFindings {
  get(routes: readonly IRRoute[]): DanglingReference[] | undefined;
  set(routes: readonly IRRoute[], findings: DanglingReference[]): void;
  /** Findings of a whole route configuration (all its virtual hosts' lists), when kept. */
  config?(config: IRRouteConfig): DanglingReference[] | undefined;
  setConfig?(config: IRRouteConfig, findings: DanglingReference[]): void;
}

/** Findings by listener, kept by an incremental compiler while the names it may reference stay (lowering-memo.ts). */
export interface ListenerFindings {
  listener(listener: IRListener): DanglingReference[] | undefined;
  setListener(listener: IRListener, findings: DanglingReference[]): void;
  /** Findings of one filter chain (a listener of thousands of chains changes in one of them). */
  chain?(chain: IRFilterChain): DanglingReference[] | undefined;
  setChain?(chain: IRFilterChain, findings: DanglingReference[]): void;
}

/** A reference from one generated resource to another that was not generated. */
export interface DanglingReference {
  refs: ResourceRef[];
  message: string;
}

/**
 * Finds references Envoy cannot resolve: a route to a cluster that was not
 * generated (or was rejected) answers 503; a TLS context naming a missing
 * secret keeps its listener or cluster warming forever; an HCM whose route
 * config is missing serves 404. Envoy accepts all of these, so nothing else
 * would tell the user why their traffic fails.
 */
export function danglingReferences(
  ir: IR,
  emitted: EmittedNames,
  /** Clusters Envoy would refuse, whose routes lowering left out (so they dangle nowhere). */
  routesLeftOutFor: ReadonlySet<string> = new Set(),
  /** Findings per route list kept by an incremental compiler, valid for these emitted clusters (lowering-memo.ts). */
  keptLists?: RouteListFindings,
  /** Findings per listener kept by an incremental compiler (lowering-memo.ts). */
  keptListeners?: ListenerFindings,
  /** The IR's records as lists, when the caller has them (in any order: findings are sorted). */
  records: {
    listeners: readonly IRListener[];
    routeConfigs: readonly IRRouteConfig[];
    clusters: readonly IRCluster[];
  } = {
    listeners: recordValues(ir.listeners),
    routeConfigs: recordValues(ir.routeConfigs),
    clusters: recordValues(ir.clusters),
  },
): DanglingReference[] {
  const found: DanglingReference[] = [];
  const has = (typeUrl: XdsTypeUrl, name: string) => emitted.get(typeUrl)?.has(name) === true;
  const missing = (kind: string, name: string) =>
    `${kind} '${name}', which was not generated (it does not exist or was rejected)`;

  const checkSecrets = (
    tls: IRDownstreamTls | IRUpstreamTls | undefined,
    owner: string,
    refs: ResourceRef[],
  ) => {
    if (tls === undefined) return;
    checkSecret(tls.certificateSecret, owner, refs);
    checkSecret(tls.caSecret, owner, refs);
  };
  const checkSecret = (secret: string | undefined, owner: string, refs: ResourceRef[]) => {
    if (secret !== undefined && !has(TypeUrl.Secret, secret)) {
      found.push({
        refs,
        message: `${owner} uses ${missing('secret', secret)}; Envoy keeps it warming until it exists`,
      });
    }
  };
  const checkChain = (listener: string, chain: IRFilterChain) => {
    const owner = `filter chain '${chain.name}' of listener '${listener}'`;
    checkSecrets(chain.tls, owner, chain.provenance);
    if (chain.kind === 'http' && !has(TypeUrl.RouteConfiguration, chain.routeConfigName)) {
      found.push({
        refs: chain.provenance,
        message: `${owner} routes with ${missing('route config', chain.routeConfigName)}; Envoy answers 404`,
      });
    }
    if (chain.kind === 'tcp') {
      for (const { cluster } of chain.clusters) {
        if (!has(TypeUrl.Cluster, cluster)) {
          found.push({
            refs: chain.provenance,
            message: `${owner} proxies to ${missing('cluster', cluster)}`,
          });
        }
      }
    }
  };

  for (const listener of records.listeners) {
    const known = keptListeners?.listener(listener);
    if (known !== undefined) {
      for (const finding of known) found.push(finding);
      continue;
    }
    const start = found.length;
    const chainFindings = (chain: IRFilterChain) => {
      const known = keptListeners?.chain?.(chain);
      if (known !== undefined) {
        for (const finding of known) found.push(finding);
        return;
      }
      const from = found.length;
      checkChain(listener.name, chain);
      keptListeners?.setChain?.(chain, found.slice(from));
    };
    for (const chain of listener.filterChains) chainFindings(chain);
    if (listener.defaultFilterChain) chainFindings(listener.defaultFilterChain);
    keptListeners?.setListener(listener, found.slice(start));
  }
  const none: DanglingReference[] = [];
  // Route objects recur in several virtual hosts and route configs: each is checked once, reported wherever it is.
  const checkedRoutes = new Map<IRRoute, DanglingReference[]>();
  const routeFindings = (route: IRRoute): DanglingReference[] => {
    if (route.action.kind !== 'forward') return none;
    const only = route.action.clusters.length === 1 && !route.action.shadows?.length;
    // The common case (one cluster, no shadows, generated) allocates nothing and is not worth remembering.
    if (only && has(TypeUrl.Cluster, route.action.clusters[0]!.cluster)) return none;
    let findings = checkedRoutes.get(route);
    if (findings === undefined) {
      findings = uncommonRouteFindings(route, route.action);
      checkedRoutes.set(route, findings);
    }
    return findings;
  };
  const uncommonRouteFindings = (route: IRRoute, action: IRForwardAction): DanglingReference[] => {
    const findings: DanglingReference[] = [];
    const targets = [
      ...action.clusters.map((c) => c.cluster),
      ...(action.shadows ?? []).map((s) => s.cluster),
    ];
    if (targets.some((cluster) => routesLeftOutFor.has(cluster))) return none;
    for (const cluster of new Set(targets)) {
      if (!has(TypeUrl.Cluster, cluster)) {
        findings.push({
          refs: route.provenance,
          message: `route '${route.name}' forwards to ${missing('cluster', cluster)}; Envoy answers 503 for it`,
        });
      }
    }
    return findings;
  };
  const listFindings = (routes: readonly IRRoute[]): DanglingReference[] => {
    const findings: DanglingReference[] = [];
    // (Indexed loops: run for every route, and an iterator allocates when not optimised away.)
    for (let r = 0; r < routes.length; r++) {
      const some = routeFindings(routes[r]!);
      for (let f = 0; f < some.length; f++) findings.push(some[f]!);
    }
    return findings;
  };
  // Whole route lists are shared too (cleartext and TLS virtual hosts of a Host).
  const checkedLists: RouteListFindings = keptLists ?? new Map<readonly IRRoute[], DanglingReference[]>();
  for (const config of records.routeConfigs) {
    const known = checkedLists.config?.(config);
    if (known !== undefined) {
      for (const finding of known) found.push(finding);
      continue;
    }
    const start = found.length;
    for (const vh of config.virtualHosts) {
      let findings = checkedLists.get(vh.routes);
      if (findings === undefined) {
        findings = listFindings(vh.routes);
        checkedLists.set(vh.routes, findings);
      }
      for (const finding of findings) found.push(finding);
    }
    checkedLists.setConfig?.(config, found.slice(start));
  }
  for (const cluster of records.clusters) {
    // Only a cluster with TLS (secrets) or EDS (endpoints) names anything (most have neither).
    if (cluster.tls === undefined && cluster.discovery !== 'EDS') continue;
    if (!has(TypeUrl.Cluster, cluster.name)) continue;
    checkSecrets(cluster.tls, `cluster '${cluster.name}'`, cluster.provenance);
    const service = cluster.edsServiceName ?? cluster.name;
    if (cluster.discovery === 'EDS' && !has(TypeUrl.ClusterLoadAssignment, service)) {
      found.push({
        refs: cluster.provenance,
        message: `EDS cluster '${cluster.name}' has ${missing('endpoints', service)}; it has no hosts`,
      });
    }
  }
  return found.sort((a, b) => compareStrings(a.message, b.message));
}
