/**
 * Envoy refuses a route table that repeats a domain (compared without case). Checking that
 * lowercases and counts every domain of every virtual host: at 5,000 Hosts, 10,000 domains on
 * each compile for a table whose edit changed one virtual host. Under an incremental
 * compiler (whose lowered JSON is never mutated, like the fast validator's kept verdicts),
 * the counts of the last table of a name are kept, and a table of the same name is counted
 * from them: the virtual hosts between the unchanged head and tail (the same objects) are
 * taken out and put in.
 */

import { sharedEnds } from '@attache/core';

type Json = Record<string, unknown>;

/** The domain counts of one table (by its name) as last checked. */
interface DomainCounts {
  virtualHosts: readonly Json[];
  counts: Map<string, number>;
  /** How many domains have a count above one. */
  repeated: number;
}

/** Tables with at most this many virtual hosts are counted whole (a Set, as before). */
const keptAbove = 64;
/** At most this many tables are kept per scope (a few large tables per node group). */
const tablesPerScope = 16;

/** Per kept scope (an incremental compiler's verdict memo), the counts of each large table. */
const scopes = new WeakMap<object, Map<string, DomainCounts>>();

/** The scope of the validation running now (validate-fast's withAcceptedMemo, with a kept memo). */
let current: object | undefined;

/**
 * Runs `fn` with `scope` (an object that lives as long as the JSON validated in it is never
 * mutated) as the scope uniqueDomainsKept keeps counts in; undefined keeps none.
 */
export function inDomainScope<T>(scope: object | undefined, fn: () => T): T {
  const outer = current;
  current = scope;
  try {
    return fn();
  } finally {
    current = outer;
  }
}

/** True when no domain repeats (without case) across the virtual hosts. */
export function uniqueDomains(virtualHosts: readonly Json[]): boolean {
  const seen = new Set<string>();
  for (let h = 0; h < virtualHosts.length; h++) {
    const domains = (virtualHosts[h]!.domains ?? []) as string[];
    for (let d = 0; d < domains.length; d++) {
      const key = domains[d]!.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
    }
  }
  return true;
}

/**
 * uniqueDomains, inside inDomainScope from the counts kept for the last table named `name`
 * (whose JSON, like this one, is never mutated while the scope lives).
 */
export function uniqueDomainsKept(virtualHosts: readonly Json[], name: unknown): boolean {
  const scope = current;
  if (scope === undefined || typeof name !== 'string' || virtualHosts.length <= keptAbove) {
    return uniqueDomains(virtualHosts);
  }
  let tables = scopes.get(scope);
  if (tables === undefined) {
    tables = new Map();
    scopes.set(scope, tables);
  }
  const last = tables.get(name);
  if (last !== undefined && last.virtualHosts === virtualHosts) return last.repeated === 0;
  const next = last === undefined ? undefined : patched(last, virtualHosts);
  const counts = next ?? counted(virtualHosts);
  if (last === undefined && tables.size >= tablesPerScope) tables.clear();
  tables.set(name, counts);
  return counts.repeated === 0;
}

function counted(virtualHosts: readonly Json[]): DomainCounts {
  const table: DomainCounts = { virtualHosts, counts: new Map(), repeated: 0 };
  for (let h = 0; h < virtualHosts.length; h++) add(table, virtualHosts[h]!, 1);
  return table;
}

/** The last counts with the changed middle taken out and put in, or undefined when much changed. */
function patched(last: DomainCounts, virtualHosts: readonly Json[]): DomainCounts | undefined {
  const before = last.virtualHosts;
  const { head, tail } = sharedEnds(before, virtualHosts);
  const gone = before.length - head - tail;
  const come = virtualHosts.length - head - tail;
  if (gone + come > Math.max(64, virtualHosts.length / 8)) return undefined;
  // The last table's counts are updated in place: it is replaced by this one.
  for (let h = head; h < before.length - tail; h++) add(last, before[h]!, -1);
  for (let h = head; h < virtualHosts.length - tail; h++) add(last, virtualHosts[h]!, 1);
  last.virtualHosts = virtualHosts;
  return last;
}

function add(table: DomainCounts, vh: Json, by: 1 | -1): void {
  const domains = (vh.domains ?? []) as string[];
  const counts = table.counts;
  for (let d = 0; d < domains.length; d++) {
    const key = domains[d]!.toLowerCase();
    const was = counts.get(key) ?? 0;
    const is = was + by;
    if (is === 0) counts.delete(key);
    else counts.set(key, is);
    if (was <= 1 && is > 1) table.repeated++;
    else if (was > 1 && is <= 1) table.repeated--;
  }
}
