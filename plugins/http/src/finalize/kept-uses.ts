import { type IRRoute, type IRRouteConfig, type IRVirtualHost, sharedEnds } from '@attache/core';

type Routes = readonly IRRoute[];

/**
 * Which clusters the routes of a set of route configurations forward or mirror
 * to, kept from one compile to the next under an incremental compiler: each
 * route list is counted once however many virtual hosts share it, and only the
 * route configurations that are new objects since the last compile (a
 * one-Mapping edit makes a few) are taken out and put in again. Route
 * configurations and route lists are never edited once made, so an object seen
 * before holds what it held.
 *
 * A list that replaces another at a virtual host's position (a Host's routes
 * built again after an edit: ~1,000 routes, all but a few the same objects) and
 * that comes as the other goes changes the cluster counts by the clusters one
 * of them uses and the other does not: found from the routes between their
 * common head and tail, not from all their clusters (see `clusterCounts`).
 */
export class KeptUses {
  private configs = new Map<string, IRRouteConfig>();
  /** How many virtual hosts of the counted configurations hold each route list. */
  private lists = new Map<Routes, number>();
  /** How many distinct counted route lists use each cluster. */
  private clusters = new Map<string, number>();
  /** The names counted, in the order of the last update, and their configurations (as in `configs`). */
  private order: { names: readonly string[]; configs: readonly IRRouteConfig[] } | undefined;

  /** Counts the route configurations of this compile (by name); then `uses` answers for them. */
  update(configs: Readonly<Record<string, IRRouteConfig>>): void {
    // Lists that came (+1) or went (-1) in this update, and which list each new one replaced; the
    // first update (every compile of plain compile()) counts each list's clusters as it comes.
    const moved = this.configs.size > 0 ? new Map<Routes, 1 | -1>() : undefined;
    const replaced = new Map<Routes, Routes>();
    // The record's names come in the order they were written, the last compile's order but for an
    // edit: a name at its last position is compared with the configuration counted there.
    const last = this.order;
    const names: string[] = [];
    const held: IRRouteConfig[] = [];
    let seen = 0;
    for (const name in configs) {
      const config = configs[name]!;
      names.push(name);
      held.push(config);
      const before =
        last !== undefined && last.names[seen] === name ? last.configs[seen] : this.configs.get(name);
      seen++;
      if (before === config) continue;
      if (before !== undefined && before.virtualHosts.length === config.virtualHosts.length) {
        // A configuration made again with one Host's virtual host changed (5,000 of them in a
        // cleartext table): only the positions holding another route list are counted again.
        this.swap(before.virtualHosts, config.virtualHosts, moved, replaced);
      } else {
        if (before !== undefined) this.count(before.virtualHosts, -1, moved);
        this.count(config.virtualHosts, 1, moved);
      }
      this.configs.set(name, config);
    }
    if (seen !== this.configs.size) {
      // Some configurations are gone: taken out.
      for (const [name, config] of this.configs) {
        if (Object.hasOwn(configs, name)) continue;
        this.count(config.virtualHosts, -1, moved);
        this.configs.delete(name);
      }
    }
    if (moved !== undefined) this.settle(moved, replaced);
    this.order = { names, configs: held };
  }

  uses(cluster: string): boolean {
    return (this.clusters.get(cluster) ?? 0) > 0;
  }

  /** The route lists of `before` taken out and those of `now` put in, where they differ position by position. */
  private swap(
    before: readonly IRVirtualHost[],
    now: readonly IRVirtualHost[],
    moved: Map<Routes, 1 | -1> | undefined,
    replaced: Map<Routes, Routes>,
  ): void {
    for (let i = 0; i < now.length; i++) {
      const was = before[i]!.routes;
      const is = now[i]!.routes;
      if (was === is) continue;
      if (!replaced.has(is)) replaced.set(is, was);
      this.hold(is, 1, moved);
      this.hold(was, -1, moved);
    }
  }

  private count(
    virtualHosts: readonly IRVirtualHost[],
    by: 1 | -1,
    moved: Map<Routes, 1 | -1> | undefined,
  ): void {
    for (const vhost of virtualHosts) this.hold(vhost.routes, by, moved);
  }

  /**
   * One more or one fewer holder of `routes`; whether it came or went is settled at the end
   * (`moved`), or at once without it.
   */
  private hold(routes: Routes, by: 1 | -1, moved: Map<Routes, 1 | -1> | undefined): void {
    const holders = (this.lists.get(routes) ?? 0) + by;
    if (holders > 0) this.lists.set(routes, holders);
    else this.lists.delete(routes);
    // A list counts its clusters once: when its first holder comes and its last one goes.
    if ((by === 1 && holders === 1) || (by === -1 && holders === 0)) {
      if (moved === undefined) for (const cluster of clustersOf(routes)) this.use(cluster, by);
      else if (moved.get(routes) === -by) moved.delete(routes);
      else moved.set(routes, by);
    }
  }

  /** The clusters of the lists that came counted in, of those that went out; a replacement by difference. */
  private settle(moved: Map<Routes, 1 | -1>, replaced: Map<Routes, Routes>): void {
    for (const [routes, by] of moved) {
      if (by !== 1) continue;
      const was = replaced.get(routes);
      if (was === undefined || moved.get(was) !== -1) continue;
      const change = clusterChange(was, routes);
      if (change === undefined) continue;
      moved.delete(routes);
      moved.delete(was);
      for (const cluster of change.added) this.use(cluster, 1);
      for (const cluster of change.removed) this.use(cluster, -1);
    }
    for (const [routes, by] of moved) for (const cluster of clustersOf(routes)) this.use(cluster, by);
  }

  private use(cluster: string, by: 1 | -1): void {
    const users = (this.clusters.get(cluster) ?? 0) + by;
    if (users > 0) this.clusters.set(cluster, users);
    else this.clusters.delete(cluster);
  }
}

/**
 * The clusters the routes of these route configurations forward or mirror to: what a fresh
 * KeptUses says `uses` of, for a compile that keeps nothing (a plain compile). Each route list is
 * read once however many virtual hosts share it, into one set: no per-list set, list or count.
 */
export function usedClusters(configs: Readonly<Record<string, IRRouteConfig>>): Set<string> {
  const used = new Set<string>();
  const seen = new Set<Routes>();
  for (const name in configs) {
    const virtualHosts = configs[name]!.virtualHosts;
    for (let v = 0; v < virtualHosts.length; v++) {
      const routes = virtualHosts[v]!.routes;
      if (seen.has(routes)) continue;
      seen.add(routes);
      for (let r = 0; r < routes.length; r++) addClusters(routes[r]!, used);
    }
  }
  return used;
}

// Route lists are never mutated once made (and kept between compiles by an incremental compiler).
const listClusters = new WeakMap<Routes, string[]>();

/** The clusters a route list forwards or mirrors to, each once. */
export function clustersOf(routes: Routes): string[] {
  let clusters = listClusters.get(routes);
  if (clusters === undefined) {
    const counts = listCounts.get(routes);
    if (counts !== undefined) clusters = [...counts.keys()];
    else {
      // Every plain compile counts each route list here: no closure or iterator per route.
      const names = new Set<string>();
      for (let i = 0; i < routes.length; i++) addClusters(routes[i]!, names);
      clusters = [...names];
    }
    listClusters.set(routes, clusters);
  }
  return clusters;
}

/** forEachCluster adding to a set. */
function addClusters(route: IRRoute, names: Set<string>): void {
  const action = route.action;
  if (action.kind !== 'forward') return;
  const clusters = action.clusters;
  for (let i = 0; i < clusters.length; i++) names.add(clusters[i]!.cluster);
  const shadows = action.shadows;
  if (shadows !== undefined) for (let i = 0; i < shadows.length; i++) names.add(shadows[i]!.cluster);
}

function forEachCluster(route: IRRoute, each: (cluster: string) => void): void {
  if (route.action.kind !== 'forward') return;
  for (const c of route.action.clusters) each(c.cluster);
  for (const s of route.action.shadows ?? []) each(s.cluster);
}

/** Below this many routes a list's clusters are counted whole: no counts are kept for it. */
const countedLength = 64;

/** Per long route list, how many references to each cluster its routes make. */
const listCounts = new WeakMap<Routes, Map<string, number>>();

function clusterCounts(routes: Routes): Map<string, number> {
  let counts = listCounts.get(routes);
  if (counts === undefined) {
    counts = new Map();
    for (const route of routes) forEachCluster(route, (c) => counts!.set(c, (counts!.get(c) ?? 0) + 1));
    listCounts.set(routes, counts);
  }
  return counts;
}

/**
 * The clusters `now` uses and `before` does not (added) and the reverse (removed), from the routes
 * between their common head and tail (objects compared by identity); the counts of `now` are made
 * from those of `before` and kept. Undefined for short lists, or when most routes differ.
 */
export function clusterChange(
  before: Routes,
  now: Routes,
): { added: string[]; removed: string[] } | undefined {
  if (now.length < countedLength || before.length < countedLength) return undefined;
  const { head: start, tail } = sharedEnds(before, now);
  const changed = before.length - tail - start + (now.length - tail - start);
  if (changed > now.length / 4) return undefined;
  const was = clusterCounts(before);
  const counts = listCounts.has(now) ? undefined : new Map(was);
  const touched = new Set<string>();
  const adjust = (by: 1 | -1) => (cluster: string) => {
    touched.add(cluster);
    if (counts === undefined) return;
    const n = (counts.get(cluster) ?? 0) + by;
    if (n > 0) counts.set(cluster, n);
    else counts.delete(cluster);
  };
  const out = adjust(-1);
  const into = adjust(1);
  for (let i = start; i < before.length - tail; i++) forEachCluster(before[i]!, out);
  for (let i = start; i < now.length - tail; i++) forEachCluster(now[i]!, into);
  if (counts !== undefined) listCounts.set(now, counts);
  const is = clusterCounts(now);
  const added: string[] = [];
  const removed: string[] = [];
  for (const cluster of touched) {
    const then = was.has(cluster);
    const later = is.has(cluster);
    if (later && !then) added.push(cluster);
    else if (then && !later) removed.push(cluster);
  }
  return { added, removed };
}
