import type { IRRoute, PassContext } from '@attache/core';
import { ExtKey } from '../model.js';

/**
 * Drops the clusters this plugin created that no route uses (a Mapping whose
 * Host is on no Listener still resolves a cluster). Clusters made by other
 * plugins are left alone.
 */
export function pruneClusters(ctx: PassContext): void {
  const owned = (ctx.ir.ext[ExtKey.ownedClusters] as string[] | undefined) ?? [];
  if (owned.length === 0) return;
  const used = new Set<string>();
  // A Host's route list is shared by its virtual host in every route configuration: read each once.
  const seen = new Set<readonly unknown[]>();
  for (const config of Object.values(ctx.ir.routeConfigs)) {
    for (const vhost of config.virtualHosts) {
      if (seen.has(vhost.routes)) continue;
      seen.add(vhost.routes);
      for (const cluster of clustersOf(vhost.routes)) used.add(cluster);
    }
  }
  for (const name of owned) {
    if (!used.has(name)) delete ctx.ir.clusters[name];
  }
  // Endpoint sets only the pruned clusters needed go too.
  const eds = new Set(
    Object.values(ctx.ir.clusters)
      .map((c) => c.edsServiceName)
      .filter((n) => n !== undefined),
  );
  for (const name of Object.keys(ctx.ir.endpoints)) {
    if (!eds.has(name) && name.startsWith('k8s/')) delete ctx.ir.endpoints[name];
  }
}

// Route lists are never mutated once made (and kept between compiles by an incremental compiler).
const listClusters = new WeakMap<readonly IRRoute[], string[]>();

/** The clusters a route list forwards or mirrors to, each once. */
function clustersOf(routes: readonly IRRoute[]): string[] {
  let clusters = listClusters.get(routes);
  if (clusters === undefined) {
    const names = new Set<string>();
    for (const route of routes) {
      if (route.action.kind !== 'forward') continue;
      for (const c of route.action.clusters) names.add(c.cluster);
      for (const s of route.action.shadows ?? []) names.add(s.cluster);
    }
    clusters = [...names];
    listClusters.set(routes, clusters);
  }
  return clusters;
}
