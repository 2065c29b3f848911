import type { ClusterModel, EnvoyModel, RouteModel } from '@attache/explain';

/**
 * Removes what the conformance README calls Emissary-internal: the
 * 127.0.0.1:8006 readiness listener and the /ambassador/v0/ routes to
 * Emissary's own diagnostics service on 127.0.0.1:8877 (whatever its
 * cluster is called). Applied to both sides: we never emit them, so it only
 * ever removes something from Emissary's output.
 */
export function withoutEmissaryInternals(model: EnvoyModel): EnvoyModel {
  const listeners = model.listeners.filter((l) => !(l.address === '127.0.0.1' && l.port === 8006));
  for (const l of listeners) {
    for (const chain of [...l.filterChains, ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) {
      const rc = chain.hcm?.routeConfig;
      if (!rc) continue;
      for (const vh of rc.virtualHosts)
        vh.routes = vh.routes.filter((r) => !isDiagnosticsRoute(r, model.clusters));
    }
  }
  return { ...model, listeners };
}

function isDiagnosticsRoute(route: RouteModel, clusters: Map<string, ClusterModel>): boolean {
  const prefix = typeof route.match.prefix === 'string' ? route.match.prefix : '';
  if (!prefix.startsWith('/ambassador/v0/')) return false;
  const name = typeof route.route?.cluster === 'string' ? route.route.cluster : undefined;
  if (name === undefined) return prefix.startsWith('/ambassador/v0/');
  const target = clusters.get(name)?.target;
  if (target && (target.kind === 'dns' || target.kind === 'static')) {
    return target.endpoints.some((e) => e.address === '127.0.0.1' && e.port === 8877);
  }
  return name.startsWith('cluster_127_0_0_1_8877');
}
