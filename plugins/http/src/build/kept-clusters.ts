import {
  compareStrings,
  type IRCluster,
  KeptByString,
  mergeProvenance,
  type ResourceRef,
  refKey,
  resourceKey,
} from '@attache/core';
import { listChangeOnce } from '../list-change.js';
import type { HttpMapping } from '../model.js';
import { type Upstream, upstreamChanges } from '../resolve/upstreams.js';

/** A cluster's users: the Mappings sending to it, in list order; the first one's upstream makes it. */
interface Users {
  mappings: HttpMapping[];
  /** The IR cluster made for them (provenance: their refs). */
  ir: IRCluster;
}

interface KeptCluster {
  source: IRCluster;
  refs: readonly ResourceRef[];
  ir: IRCluster;
}

/**
 * IR clusters kept between compiles of an incremental compiler (`http.build-clusters`).
 * A cluster made of the same upstream object for the same Mappings (refs, in order) is
 * the last compile's object again. When the upstreams were made from the last
 * compile's (upstreamChanges) and the Mapping list holds the same objects but a few,
 * only the clusters of the Mappings added, removed, or whose upstream changed are made
 * again; every other cluster has the same users and upstream object as last compile.
 */
export class KeptClusters {
  private readonly kept = new KeptByString<KeptCluster>();
  /** @param keep whether a next compile will ask (a plain compile's instance keeps nothing per cluster). */
  constructor(private readonly keep = true) {}
  private last:
    | {
        mappings: readonly HttpMapping[];
        upstreams: ReadonlyMap<string, Upstream>;
        users: Map<string, Users>;
      }
    | undefined;

  /** The clusters by name, in the order a full build makes them (or close: the order is not output). */
  build(mappings: readonly HttpMapping[], upstreams: ReadonlyMap<string, Upstream>): Map<string, IRCluster> {
    const out = new Map<string, IRCluster>();
    for (const [name, u] of this.update(mappings, upstreams)) out.set(name, u.ir);
    return out;
  }

  /**
   * As `build`, each cluster as `{ ir }` by name: the kept map itself (no copy of thousands of
   * entries per edit), to be read before the next call (which changes it).
   */
  update(
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): ReadonlyMap<string, { readonly ir: IRCluster }> {
    const users = this.patch(mappings, upstreams) ?? this.full(mappings, upstreams);
    this.last = { mappings, upstreams, users };
    return users;
  }

  private full(
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): Map<string, Users> {
    // One map: each entry holds the upstream's cluster until its IR cluster is made (below).
    const out = new Map<string, Users>();
    for (let i = 0; i < mappings.length; i++) {
      const mapping = mappings[i]!;
      const cluster = upstreams.get(mapping.id)?.cluster;
      if (!cluster) continue;
      const users = out.get(cluster.name);
      if (users) users.mappings.push(mapping);
      else out.set(cluster.name, { mappings: [mapping], ir: cluster });
    }
    this.kept.rotate();
    // forEach, not for..of: no [name, users] pair per cluster.
    out.forEach((users, name) => {
      users.ir = this.made(name, users.ir, users.mappings);
    });
    return out;
  }

  /** The last compile's clusters with the users of the few changed Mappings moved; undefined when unknown. */
  private patch(
    mappings: readonly HttpMapping[],
    upstreams: ReadonlyMap<string, Upstream>,
  ): Map<string, Users> | undefined {
    const last = this.last;
    const since = upstreamChanges.get(upstreams);
    if (last === undefined || since === undefined || since.since !== last.upstreams) return undefined;
    const listed = listChangeOnce(last.mappings, mappings);
    if (listed.added.length + listed.removed.length + since.mappings.length > 64) return undefined;
    const added = new Set(listed.added);
    const removed = new Set(listed.removed);
    // Taken out of the Mapping list (left out by the last compile, so not in `removed`): an edited
    // Mapping's new object has its id, and with it its upstream.
    const gone = new Set(since.gone);
    // Out of the clusters they used: the removed ones and those whose upstream changed (in both lists).
    const leaving = new Set<HttpMapping>(listed.removed);
    const joining = new Set<HttpMapping>(listed.added);
    for (const m of since.mappings) {
      if (!added.has(m)) leaving.add(m);
      if (!removed.has(m) && !gone.has(m)) joining.add(m);
    }
    // Changed in place: only the next compile reads it, and nothing above returned undefined after this.
    const users = last.users;
    const touched = new Map<string, HttpMapping[]>();
    const usersOf = (name: string): HttpMapping[] => {
      let list = touched.get(name);
      if (list === undefined) {
        list = (users.get(name)?.mappings ?? []).slice();
        touched.set(name, list);
      }
      return list;
    };
    for (const m of leaving) {
      const name = last.upstreams.get(m.id)?.cluster.name;
      if (name === undefined) continue;
      const list = usersOf(name);
      const at = list.indexOf(m);
      if (at >= 0) list.splice(at, 1);
    }
    for (const m of joining) {
      const name = upstreams.get(m.id)?.cluster.name;
      if (name === undefined) continue;
      const list = usersOf(name);
      // The list's order: admitted inputs are sorted by resource key, each key once.
      const key = resourceKey(m.ref);
      let at = list.length;
      while (at > 0 && compareStrings(resourceKey(list[at - 1]!.ref), key) > 0) at--;
      list.splice(at, 0, m);
    }
    for (const [name, list] of touched) {
      if (list.length === 0) {
        users.delete(name);
        continue;
      }
      const cluster = upstreams.get(list[0]!.id)!.cluster;
      users.set(name, { mappings: list, ir: this.made(name, cluster, list) });
    }
    return users;
  }

  /** The IR cluster of these users: the last one when made of the same upstream object for the same refs. */
  private made(name: string, cluster: IRCluster, users: readonly HttpMapping[]): IRCluster {
    if (!this.keep) {
      // A plain compile: the upstream's cluster is this compile's own object, made for it by
      // resolve-upstreams and read by no one for its provenance (an empty list until now). It
      // becomes the IR cluster itself rather than a copy of it (~3,650 at 10 x 10,000, each
      // kept until the output is printed beside the one it was copied from).
      cluster.provenance = provenanceOf(users);
      return cluster;
    }
    const refs = users.map((m) => m.ref);
    const before = this.kept.get(name);
    if (before && before.source === cluster && sameRefs(before.refs, refs)) return before.ir;
    const ir: IRCluster = { ...cluster, provenance: mergeProvenance(refs) };
    this.kept.set(name, { source: cluster, refs, ir });
    return ir;
  }
}

/**
 * mergeProvenance of the users' refs, without its map and key lists when it would return them
 * as they are: one ref, or refs whose keys already rise (a cluster's users are in list order,
 * which is resource key order). Two refs of one apiVersion, kind and namespace have keys that
 * differ only in the name, so their order is their names' (no key text made and remembered per
 * ref: 8,845 kept strings and WeakMap entries at 10 x 10,000); other pairs compare their keys.
 */
export function provenanceOf(users: readonly HttpMapping[]): ResourceRef[] {
  const refs: ResourceRef[] = [];
  let rising = true;
  for (let i = 0; i < users.length; i++) {
    const ref = users[i]!.ref;
    refs.push(ref);
    if (i === 0 || !rising) continue;
    const before = refs[i - 1]!;
    if (
      before.namespace === ref.namespace &&
      before.kind === ref.kind &&
      before.apiVersion === ref.apiVersion
    ) {
      if (!(before.name < ref.name)) rising = false;
    } else if (!(refKey(before) < refKey(ref))) rising = false;
  }
  return rising ? refs : mergeProvenance(refs);
}

function sameRefs(a: readonly ResourceRef[], b: readonly ResourceRef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
