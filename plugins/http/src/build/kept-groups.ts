import {
  compareStrings,
  type DiagnosticInput,
  type PassContext,
  type ResourceRef,
  resourceKey,
} from '@attache/core';
import { hostGlobsIntersect } from '../hostglob.js';
import { listChangeOnce } from '../list-change.js';
import type { HttpHost, HttpListener, HttpMapping } from '../model.js';
import { type Upstream, upstreamChanges } from '../resolve/upstreams.js';
import { sameObjects } from '../same-objects.js';
import { groupGlob } from './association.js';
import {
  compareGroups,
  groupsOfBucket,
  mappingsByPrefix,
  noSelectingHosts,
  type RouteGroup,
  sortGroups,
} from './groups.js';
import type { HostsByName } from './hosts-by-name.js';

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
  /** The Mappings and upstreams grouped last. */
  private last: { mappings: readonly HttpMapping[]; upstreams: ReadonlyMap<string, Upstream> } | undefined;
  /** Prefixes whose bucket has diagnostics to report again. */
  private reporting = new Set<string>();
  private sorted: RouteGroup[] | undefined;
  /** Whether a group attaches to some Host (valid while the Hosts are those of `hostsKey`). */
  readonly attached = new WeakMap<RouteGroup, boolean>();
  /** The groups of the last compile that attach to no Host. */
  unattached = new Set<RouteGroup>();
  hostsKey: string | undefined;
  /** The Hosts `hostsKey` was made of (the same objects give the same key). */
  hostsList: readonly HttpHost[] | undefined;
  /** The last Hosts by hostname (for the same Host objects, made again otherwise). */
  hostIndex: HostsByName | undefined;
  /**
   * Under which security model each Listener (in order) bound which Hosts in the last compile:
   * the route lists in use. Route names are kept only while these stay the same.
   */
  bindings: ListenerBinding[] | undefined;
  /** Route names of each Mapping (by ref) in the last compile. */
  routeNames = new WeakMap<ResourceRef, string[]>();
  /** The groups each Host (by id) attached in the last compile, in route order. */
  hostGroups = new Map<string, RouteGroup[]>();

  group(
    ctx: Pick<PassContext, 'report'>,
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): {
    groups: RouteGroup[];
    added: RouteGroup[];
    gone: RouteGroup[];
    changed: Set<HttpMapping>;
    /** Only the touched buckets were grouped: every Mapping outside `changed` is last compile's object. */
    patched: boolean;
  } {
    const patch = this.patch(ctx, mappings, upstreams);
    const outcome = patch ?? this.regroup(ctx, mappings, upstreams);
    this.last = { mappings, upstreams };
    const { added, gone } = outcome;
    let sorted = this.sorted;
    if (sorted === undefined || added.length + gone.length > sorted.length / 4) {
      // First compile, or most of the order changes: sort everything.
      const all: RouteGroup[] = [];
      for (const bucket of this.buckets.values()) for (const g of bucket.groups) all.push(g);
      sorted = sortGroups(all);
    } else if (added.length > 0 || gone.length > 0) {
      // A copy (the last compile's list is its own), the few gone groups found by binary search.
      sorted = sorted.slice();
      if (gone.length > 8) {
        const dead = new Set(gone);
        sorted = sorted.filter((g) => !dead.has(g));
      } else for (const g of gone) removeSorted(sorted, g);
      for (const g of added) sorted.splice(insertionPoint(sorted, g), 0, g);
    }
    this.sorted = sorted;
    return { groups: sorted, added, gone, changed: outcome.changed, patched: patch !== undefined };
  }

  /** Every bucket compared with the last compile's (by refs and upstreams); new ones grouped. */
  private regroup(
    ctx: Pick<PassContext, 'report'>,
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): Change {
    const byPrefix = mappingsByPrefix(mappings);
    const next = new Map<string, KeptBucket>();
    const added: RouteGroup[] = [];
    const changed = new Set<HttpMapping>();
    this.reporting = new Set();
    for (const [prefix, value] of byPrefix) {
      const list = Array.isArray(value) ? value : [value];
      const before = this.buckets.get(prefix);
      if (before !== undefined && sameBucket(before, list, upstreams)) {
        repoint(before, list);
        for (const d of before.reports) ctx.report(d);
        next.set(prefix, before);
        if (before.reports.length > 0) this.reporting.add(prefix);
        continue;
      }
      const bucket = groupBucket(ctx, list, upstreams);
      next.set(prefix, bucket);
      if (bucket.reports.length > 0) this.reporting.add(prefix);
      for (const mapping of list) changed.add(mapping);
      for (const g of bucket.groups) added.push(g);
    }
    const gone: RouteGroup[] = [];
    for (const [prefix, bucket] of this.buckets) {
      if (next.get(prefix) !== bucket) for (const g of bucket.groups) gone.push(g);
    }
    this.buckets = next;
    return { added, gone, changed };
  }

  /**
   * Only the buckets of the Mappings added or removed since the last compile, or whose upstream
   * changed, grouped again; undefined when that is not known (the first compile; upstreams not
   * made from the last compile's by resolveUpstreams, see upstreamChanges; many changes). The
   * other buckets hold the same HttpMapping objects (ingest keeps them) with the same upstreams.
   */
  private patch(
    ctx: Pick<PassContext, 'report'>,
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): Change | undefined {
    const last = this.last;
    const since = upstreamChanges.get(upstreams);
    if (last === undefined || since === undefined || since.since !== last.upstreams) return undefined;
    const listed = listChangeOnce(last.mappings, mappings);
    const touched = new Set<string>();
    for (const m of listed.added) touched.add(m.fields.prefix);
    for (const m of listed.removed) touched.add(m.fields.prefix);
    for (const m of since.mappings) touched.add(m.fields.prefix);
    if (touched.size > 64) return undefined;
    const removed = new Set(listed.removed);
    const addedByPrefix = new Map<string, HttpMapping[]>();
    for (const m of listed.added) {
      const list = addedByPrefix.get(m.fields.prefix);
      if (list) list.push(m);
      else addedByPrefix.set(m.fields.prefix, [m]);
    }
    const added: RouteGroup[] = [];
    const gone: RouteGroup[] = [];
    const changed = new Set<HttpMapping>();
    for (const prefix of touched) {
      const before = this.buckets.get(prefix);
      const members = before ? before.members.filter((m) => !removed.has(m)) : [];
      const joining = addedByPrefix.get(prefix);
      if (joining) {
        for (const m of joining) members.push(m);
        // The list's order: admitted inputs are sorted by resource key, each key once.
        if (members.length > joining.length) members.sort(compareByKey);
      }
      if (before) for (const g of before.groups) gone.push(g);
      this.reporting.delete(prefix);
      if (members.length === 0) {
        this.buckets.delete(prefix);
        continue;
      }
      const bucket = groupBucket(ctx, members, upstreams);
      this.buckets.set(prefix, bucket);
      if (bucket.reports.length > 0) this.reporting.add(prefix);
      for (const m of members) changed.add(m);
      for (const g of bucket.groups) added.push(g);
    }
    // Untouched buckets' diagnostics (canary conflicts) are reported again.
    for (const prefix of this.reporting) {
      if (touched.has(prefix)) continue;
      for (const d of this.buckets.get(prefix)!.reports) ctx.report(d);
    }
    return { added, gone, changed };
  }

  /** Forgets everything (a Host selects Mappings by label: groups then depend on the Hosts). */
  reset(): void {
    this.buckets = new Map();
    this.last = undefined;
    this.reporting = new Set();
    this.unattached = new Set();
    this.sorted = undefined;
    this.hostsKey = undefined;
    this.hostsList = undefined;
    this.hostIndex = undefined;
    this.bindings = undefined;
    this.routeNames = new WeakMap();
    this.hostGroups = new Map();
  }
}

/** The Hosts one Listener binds, and its security model (which routes its virtual hosts get). */
export interface ListenerBinding {
  model: HttpListener['securityModel'];
  bound: readonly HttpHost[];
}

/** Whether two compiles' Listeners bind the same Host objects under the same security models. */
export function sameBindings(a: readonly ListenerBinding[], b: readonly ListenerBinding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.model !== y.model || !sameObjects(x.bound, y.bound)) return false;
  }
  return true;
}

interface Change {
  added: RouteGroup[];
  gone: RouteGroup[];
  changed: Set<HttpMapping>;
}

/** A bucket's groups, made now, with the diagnostics grouping reported. */
function groupBucket(
  ctx: Pick<PassContext, 'report'>,
  list: HttpMapping[],
  upstreams: ReadonlyMap<string, Upstream>,
): KeptBucket {
  const reports: DiagnosticInput[] = [];
  const recording = {
    report(d: DiagnosticInput) {
      reports.push(d);
      ctx.report(d);
    },
  };
  return {
    members: list,
    refs: list.map((m) => m.ref),
    clusters: list.map((m) => upstreams.get(m.id)?.cluster.name),
    authorities: list.map((m) => upstreams.get(m.id)?.authority),
    groups: groupsOfBucket(recording, list, noSelectingHosts),
    reports,
  };
}

function compareByKey(a: HttpMapping, b: HttpMapping): number {
  return compareStrings(resourceKey(a.ref), resourceKey(b.ref));
}

interface KeptBucket {
  /** Its Mappings in list order (the objects last grouped or repointed to). */
  members: HttpMapping[];
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
function repoint(bucket: KeptBucket, list: HttpMapping[]): void {
  bucket.members = list;
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

/** Takes `group` out of `sorted` (in compareGroups order): where it sorts, else wherever it is. */
function removeSorted(sorted: RouteGroup[], group: RouteGroup): void {
  let at = insertionPoint(sorted, group);
  if (sorted[at] !== group) at = sorted.indexOf(group);
  if (at >= 0) sorted.splice(at, 1);
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
