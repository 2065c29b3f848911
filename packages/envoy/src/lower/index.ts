import { compareStrings, type IR } from '@attache/core';
import { keptLowering, keptSorted, type LoweringMemo, sortedChange, sortedFrom } from '../lowering-memo.js';
import { lowerCluster } from './cluster.js';
import type { LoweredResource } from './common.js';
import { lowerEndpoints } from './endpoints.js';
import { lowerListener, sharedAccessLoggers } from './listener.js';
import { recordValues } from './record-values.js';
import { keptRouteConfig, lowerRouteConfig, memoizedRouteLowering } from './route-config.js';
import { lowerSecret } from './secret.js';

export type { Json, LoweredResource, ResourcePart } from './common.js';
export { httpConnectionManagerFilterName } from './listener.js';

function byName<T extends { name: string }>(record: Record<string, T>): T[] {
  return sortByName(recordValues(record));
}

function sortByName<T extends { name: string }>(values: T[]): T[] {
  return values.sort((a, b) => compareStrings(a.name, b.name));
}

/** One type's resources as lowerIRSlots gives them, with how they differ from the last compile's. */
export interface LoweredSlot {
  /** The record the resources come from (a key of LoweringMemo.slots). */
  slot: string;
  /** The record's IR objects in name order, and what each became. */
  sorted: readonly unknown[];
  lowered: LoweredResource[];
  /**
   * Under an incremental compiler: `[]` when `lowered` is the last compile's array (the same
   * objects), the positions lowered again when it is a copy of it with those replaced, undefined
   * when it was made anew.
   */
  changed: readonly number[] | undefined;
  /** When objects came or went: each position's index in the last compile's array (-1: new). */
  from?: readonly number[];
}

/**
 * A record's objects sorted by name and lowered. Under an incremental compiler (`kept`), the
 * last compile's lowered array while the sorted objects are the same (and `salt`, the identity
 * of any other input), or a copy of it with only the objects that changed lowered again.
 */
function loweredSlot<T extends { name: string }>(
  kept: LoweringMemo | undefined,
  slot: string,
  record: Record<string, T>,
  lower: (value: T) => LoweredResource,
  salt?: unknown,
): LoweredSlot {
  if (!kept) {
    const sorted = byName(record);
    return { slot, sorted, lowered: sorted.map(lower), changed: undefined };
  }
  const sorted = keptSorted(kept, slot, recordValues(record), sortByName);
  const change = sortedChange(kept, slot);
  const last = kept.slots.get(slot);
  const keep = (value: T) => keptLowering(kept, value, lower, salt);
  if (
    last !== undefined &&
    last.salt === salt &&
    change !== undefined &&
    last.sorted.length === sorted.length
  ) {
    if (change.length === 0 && last.sorted === sorted)
      return { slot, sorted, lowered: last.lowered, changed: change };
    if (change.length > 0) {
      const lowered = last.lowered.slice();
      for (const p of change) lowered[p] = keep(sorted[p]!);
      kept.slots.set(slot, { sorted, salt, lowered, admissions: last.admissions });
      return { slot, sorted, lowered, changed: change };
    }
  }
  // Objects came or went: each kept object's lowering is at its last position.
  const from = last === undefined ? undefined : sortedFrom(kept, slot, last.sorted);
  if (last !== undefined && last.salt === salt && from !== undefined) {
    const lowered = from.map((i, p) => (i >= 0 ? last.lowered[i]! : keep(sorted[p]!)));
    kept.slots.set(slot, { sorted, salt, lowered, admissions: last.admissions });
    return { slot, sorted, lowered, changed: undefined, from };
  }
  const lowered = sorted.map(keep);
  kept.slots.set(slot, { sorted, salt, lowered });
  return { slot, sorted, lowered, changed: undefined };
}

/**
 * IR → Envoy resources (ADS style: RDS, EDS and SDS over ADS), unvalidated,
 * in push order (what a resource references comes first) and by name within
 * a type. Pure and deterministic.
 */
export function lowerIR(ir: IR, kept?: LoweringMemo): LoweredResource[] {
  return lowerIRSlots(ir, kept).flatMap((s) => s.lowered);
}

/** lowerIR, one slot per type in push order (each type's resources by name). */
export function lowerIRSlots(ir: IR, kept?: LoweringMemo): LoweredSlot[] {
  const limits = ir.regexMaxProgramSize === undefined ? {} : { maxProgramSize: ir.regexMaxProgramSize };
  const lowerRoutes = memoizedRouteLowering(limits, kept);
  const loggers = sharedAccessLoggers(ir);
  const slots = [
    loweredSlot(kept, 'secrets', ir.secrets, lowerSecret),
    loweredSlot(kept, 'clusters', ir.clusters, lowerCluster),
    loweredSlot(kept, 'endpoints', ir.endpoints, lowerEndpoints),
    loweredSlot(kept, 'listeners', ir.listeners, (l) => lowerListener(l, loggers), loggers),
    loweredSlot(kept, 'routeConfigs', ir.routeConfigs, (config) =>
      // The same IR object as last compile (kept by the http plugin), or made of the same parts.
      kept
        ? keptRouteConfig(kept, config, lowerRoutes, limits)
        : lowerRouteConfig(config, lowerRoutes, limits),
    ),
  ];
  if (kept) forgetGoneRouteConfigs(kept, ir, slots[4]!.lowered.length);
  // Already in push order: each type's lowering gives its type and the IR object's name, the types
  // come in xdsPushOrder, and each type is sorted by name (a sort here would only compare).
  return slots;
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
