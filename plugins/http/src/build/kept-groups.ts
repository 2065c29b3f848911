import type { DiagnosticInput, PassContext, ResourceRef } from '@attache/core';
import { hostGlobsIntersect } from '../hostglob.js';
import type { HttpHost, HttpMapping } from '../model.js';
import type { Upstream } from '../resolve/upstreams.js';
import { groupGlob } from './association.js';
import { compareGroups, groupsOfBucket, mappingsByPrefix, type RouteGroup, sortGroups } from './groups.js';

/**
 * Route groups kept from one compile to the next (incremental compiler, no Host
 * with a mappingSelector): Mappings are grouped by prefix first, so a prefix
 * bucket whose Mappings are the same (by ref: the same admitted resource) with
 * the same upstreams gives the same groups, and only the buckets an edit
 * touches are grouped and placed in the route order again (binary search with
 * compareGroups, the order sortGroups gives). The groups of an unchanged
 * bucket are the objects of the last compile, pointed at this compile's
 * HttpMapping objects; their diagnostics (canary conflicts) are reported again.
 *
 * `touched` lists the groups that are new or gone: only Hosts they attach to
 * can have other routes than last compile.
 */
export class KeptGroups {
  private buckets = new Map<string, KeptBucket>();
  private sorted: RouteGroup[] | undefined;
  /** Whether a group attaches to some Host (valid while the Hosts are those of `hostsKey`). */
  readonly attached = new WeakMap<RouteGroup, boolean>();
  hostsKey: string | undefined;
  /** Route names of each Mapping (by ref) in the last compile. */
  routeNames = new WeakMap<ResourceRef, string[]>();
  /** The groups each Host (by id) attached in the last compile, in route order. */
  hostGroups = new Map<string, RouteGroup[]>();

  group(
    ctx: Pick<PassContext, 'report'>,
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): { groups: RouteGroup[]; added: RouteGroup[]; gone: RouteGroup[]; changed: Set<HttpMapping> } {
    const byPrefix = mappingsByPrefix(mappings);
    const next = new Map<string, KeptBucket>();
    const added: RouteGroup[] = [];
    const changed = new Set<HttpMapping>();
    for (const [prefix, value] of byPrefix) {
      const list = Array.isArray(value) ? value : [value];
      const before = this.buckets.get(prefix);
      if (before !== undefined && sameBucket(before, list, upstreams)) {
        repoint(before, list);
        for (const d of before.reports) ctx.report(d);
        next.set(prefix, before);
        continue;
      }
      const reports: DiagnosticInput[] = [];
      const recording = {
        report(d: DiagnosticInput) {
          reports.push(d);
          ctx.report(d);
        },
      };
      const groups = groupsOfBucket(recording, list, () => '');
      for (const mapping of list) changed.add(mapping);
      next.set(prefix, {
        refs: list.map((m) => m.ref),
        clusters: list.map((m) => upstreams.get(m.id)?.cluster.name),
        authorities: list.map((m) => upstreams.get(m.id)?.authority),
        groups,
        reports,
      });
      for (const g of groups) added.push(g);
    }
    const gone: RouteGroup[] = [];
    for (const [prefix, bucket] of this.buckets) {
      if (next.get(prefix) !== bucket) for (const g of bucket.groups) gone.push(g);
    }
    this.buckets = next;
    let sorted = this.sorted;
    if (sorted === undefined || added.length + gone.length > sorted.length / 4) {
      // First compile, or most of the order changes: sort everything.
      const all: RouteGroup[] = [];
      for (const bucket of next.values()) for (const g of bucket.groups) all.push(g);
      sorted = sortGroups(all);
    } else if (added.length > 0 || gone.length > 0) {
      if (gone.length > 0) {
        const dead = new Set(gone);
        sorted = sorted.filter((g) => !dead.has(g));
      } else sorted = sorted.slice();
      for (const g of added) sorted.splice(insertionPoint(sorted, g), 0, g);
    }
    this.sorted = sorted;
    return { groups: sorted, added, gone, changed };
  }

  /** Forgets everything (a Host selects Mappings by label: groups then depend on the Hosts). */
  reset(): void {
    this.buckets = new Map();
    this.sorted = undefined;
    this.hostsKey = undefined;
    this.routeNames = new WeakMap();
    this.hostGroups = new Map();
  }
}

interface KeptBucket {
  refs: ResourceRef[];
  clusters: Array<string | undefined>;
  authorities: Array<string | undefined>;
  groups: RouteGroup[];
  reports: DiagnosticInput[];
}

/** The same Mappings (refs, in order) with the same upstreams: the same groups and routes. */
function sameBucket(
  bucket: KeptBucket,
  list: readonly HttpMapping[],
  upstreams: ReadonlyMap<string, Upstream>,
): boolean {
  if (bucket.refs.length !== list.length) return false;
  for (let i = 0; i < list.length; i++) {
    const mapping = list[i]!;
    if (bucket.refs[i] !== mapping.ref) return false;
    const upstream = upstreams.get(mapping.id);
    if (bucket.clusters[i] !== upstream?.cluster.name || bucket.authorities[i] !== upstream?.authority) {
      return false;
    }
  }
  return true;
}

/** Points the kept groups at this compile's Mapping objects (the same refs). */
function repoint(bucket: KeptBucket, list: readonly HttpMapping[]): void {
  if (list.length === 1) {
    const group = bucket.groups[0]!;
    for (const member of group.members) member.mapping = list[0]!;
    for (let i = 0; i < group.shadows.length; i++) group.shadows[i] = list[0]!;
    return;
  }
  const byRef = new Map<ResourceRef, HttpMapping>();
  for (const mapping of list) byRef.set(mapping.ref, mapping);
  for (const group of bucket.groups) {
    for (const member of group.members) member.mapping = byRef.get(member.mapping.ref)!;
    for (let i = 0; i < group.shadows.length; i++) group.shadows[i] = byRef.get(group.shadows[i]!.ref)!;
  }
}

export function insertionPoint(sorted: readonly RouteGroup[], group: RouteGroup): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareGroups(sorted[mid]!, group) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Whether a group attaches to a Host without a mappingSelector (GroupIndex.groupsFor's rule). */
export function attaches(group: RouteGroup, host: HttpHost): boolean {
  const glob = groupGlob(group);
  if (glob === null) return false;
  if (glob === true) return true;
  if (!glob.includes('*') && !host.hostname.includes('*')) return glob === host.hostname;
  return hostGlobsIntersect(host.hostname, glob);
}
