import type { PassContext } from '@attache/core';
import { ExtKey } from '../model.js';
import { KeptUses, usedClusters } from './kept-uses.js';

/**
 * Drops the clusters this plugin created that no route uses (a Mapping whose
 * Host is on no Listener still resolves a cluster). Clusters made by other
 * plugins are left alone.
 */
export function pruneClusters(ctx: PassContext): void {
  const owned = (ctx.ir.ext[ExtKey.ownedClusters] as string[] | undefined) ?? [];
  if (owned.length === 0) return;
  // Under an incremental compiler the counts are kept, and only route configurations that are
  // new objects counted again; a route list shared by many virtual hosts is read once either way.
  if (ctx.memo !== undefined) {
    const uses = ctx.memo.reuse(keptUsesKey, '', () => new KeptUses());
    uses.update(ctx.ir.routeConfigs);
    for (const name of owned) {
      if (!uses.uses(name)) delete ctx.ir.clusters[name];
    }
  } else {
    // A plain compile counts nothing for a next one: the clusters used, in one set.
    const used = usedClusters(ctx.ir.routeConfigs);
    for (let i = 0; i < owned.length; i++) if (!used.has(owned[i]!)) delete ctx.ir.clusters[owned[i]!];
  }
  // Endpoint sets only the pruned clusters needed go too (Kubernetes ones: without any, the
  // clusters are not walked, as with DNS services only).
  const k8s: string[] = [];
  for (const name in ctx.ir.endpoints) if (name.startsWith('k8s/')) k8s.push(name);
  if (k8s.length === 0) return;
  const eds = new Set<string>();
  for (const name in ctx.ir.clusters) {
    const service = ctx.ir.clusters[name]!.edsServiceName;
    if (service !== undefined) eds.add(service);
  }
  for (const name of k8s) if (!eds.has(name)) delete ctx.ir.endpoints[name];
}

const keptUsesKey = {};
