import { compareStrings, type IR } from '@attache/core';
import { keptLowering, keptSorted, type LoweringMemo } from '../lowering-memo.js';
import { lowerCluster } from './cluster.js';
import type { LoweredResource } from './common.js';
import { lowerEndpoints } from './endpoints.js';
import { lowerListener, sharedAccessLoggers } from './listener.js';
import { keptRouteConfig, lowerRouteConfig, memoizedRouteLowering } from './route-config.js';
import { lowerSecret } from './secret.js';

export type { Json, LoweredResource, ResourcePart } from './common.js';
export { httpConnectionManagerFilterName } from './listener.js';

function byName<T extends { name: string }>(record: Record<string, T>): T[] {
  return sortByName(Object.values(record));
}

function sortByName<T extends { name: string }>(values: T[]): T[] {
  return values.sort((a, b) => compareStrings(a.name, b.name));
}

/** byName, kept by an incremental compiler while the record holds the same objects in the same order. */
function keptByName<T extends { name: string }>(
  kept: LoweringMemo | undefined,
  slot: string,
  record: Record<string, T>,
): T[] {
  return kept ? keptSorted(kept, slot, Object.values(record), sortByName) : byName(record);
}

/**
 * IR → Envoy resources (ADS style: RDS, EDS and SDS over ADS), unvalidated,
 * in push order (what a resource references comes first) and by name within
 * a type. Pure and deterministic.
 */
export function lowerIR(ir: IR, kept?: LoweringMemo): LoweredResource[] {
  const limits = ir.regexMaxProgramSize === undefined ? {} : { maxProgramSize: ir.regexMaxProgramSize };
  const lowerRoutes = memoizedRouteLowering(limits, kept);
  const loggers = sharedAccessLoggers(ir);
  const routeConfigs = keptByName(kept, 'routeConfigs', ir.routeConfigs);
  const lowered = [
    ...keptByName(kept, 'secrets', ir.secrets).map((secret) => keptLowering(kept, secret, lowerSecret)),
    ...keptByName(kept, 'clusters', ir.clusters).map((cluster) => keptLowering(kept, cluster, lowerCluster)),
    ...keptByName(kept, 'endpoints', ir.endpoints).map((endpoints) =>
      keptLowering(kept, endpoints, lowerEndpoints),
    ),
    ...keptByName(kept, 'listeners', ir.listeners).map((listener) =>
      keptLowering(kept, listener, (l) => lowerListener(l, loggers), loggers),
    ),
    ...routeConfigs.map((config) => {
      if (!kept) return lowerRouteConfig(config, lowerRoutes, limits);
      // The same IR object as last compile (kept by the http plugin), or made of the same parts.
      return keptLowering(kept, config, () => keptRouteConfig(kept, config, lowerRoutes, limits));
    }),
  ];
  if (kept) forgetGoneRouteConfigs(kept, ir, routeConfigs.length);
  // Already in push order: each type's lowering gives its type and the IR object's name, the types
  // come in xdsPushOrder, and each type is sorted by name (a sort here would only compare).
  return lowered;
}

/**
 * Drops what keptRouteConfig remembers of route configurations no longer in the IR, once they
 * are as many as those that are (the check costs a lookup per remembered name).
 */
function forgetGoneRouteConfigs(kept: LoweringMemo, ir: IR, present: number): void {
  if (kept.lastRouteConfigs.size <= 2 * present + 16) return;
  for (const name of kept.lastRouteConfigs.keys()) {
    if (ir.routeConfigs[name] !== undefined) continue;
    kept.lastRouteConfigs.delete(name);
    kept.sorted.delete(`routeConfig ${name}`);
  }
}
