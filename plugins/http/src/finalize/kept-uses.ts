import type { IRRoute, IRRouteConfig, IRVirtualHost } from '@attache/core';

/**
 * Which clusters the routes of a set of route configurations forward or mirror
 * to, kept from one compile to the next under an incremental compiler: each
 * route list is counted once however many virtual hosts share it, and only the
 * route configurations that are new objects since the last compile (a
 * one-Mapping edit makes a few) are taken out and put in again. Route
 * configurations and route lists are never edited once made, so an object seen
 * before holds what it held.
 */
export class KeptUses {
  private configs = new Map<string, IRRouteConfig>();
  /** How many virtual hosts of the counted configurations hold each route list. */
  private lists = new Map<readonly IRRoute[], number>();
  /** How many distinct counted route lists use each cluster. */
  private clusters = new Map<string, number>();

  /** Counts the route configurations of this compile (by name); then `uses` answers for them. */
  update(configs: Readonly<Record<string, IRRouteConfig>>): void {
    let seen = 0;
    for (const name in configs) {
      seen++;
      const config = configs[name]!;
      const before = this.configs.get(name);
      if (before === config) continue;
      if (before !== undefined && before.virtualHosts.length === config.virtualHosts.length) {
        // A configuration made again with one Host's virtual host changed (5,000 of them in a
        // cleartext table): only the positions holding another route list are counted again.
        this.swap(before.virtualHosts, config.virtualHosts);
      } else {
        if (before !== undefined) this.count(before.virtualHosts, -1);
        this.count(config.virtualHosts, 1);
      }
      this.configs.set(name, config);
    }
    if (seen === this.configs.size) return;
    // Some configurations are gone: taken out.
    for (const [name, config] of this.configs) {
      if (Object.hasOwn(configs, name)) continue;
      this.count(config.virtualHosts, -1);
      this.configs.delete(name);
    }
  }

  uses(cluster: string): boolean {
    return (this.clusters.get(cluster) ?? 0) > 0;
  }

  /** The route lists of `before` taken out and those of `now` put in, where they differ position by position. */
  private swap(before: readonly IRVirtualHost[], now: readonly IRVirtualHost[]): void {
    for (let i = 0; i < now.length; i++) {
      const was = before[i]!.routes;
      const is = now[i]!.routes;
      if (was === is) continue;
      // Put in first: a list moving between positions is never counted out and in again.
      this.hold(is, 1);
      this.hold(was, -1);
    }
  }

  private count(virtualHosts: readonly IRVirtualHost[], by: 1 | -1): void {
    for (const vhost of virtualHosts) this.hold(vhost.routes, by);
  }

  private hold(routes: readonly IRRoute[], by: 1 | -1): void {
    const holders = (this.lists.get(routes) ?? 0) + by;
    if (holders > 0) this.lists.set(routes, holders);
    else this.lists.delete(routes);
    // A list counts its clusters once: when its first holder comes and its last one goes.
    if ((by === 1 && holders === 1) || (by === -1 && holders === 0)) {
      for (const cluster of clustersOf(routes)) {
        const users = (this.clusters.get(cluster) ?? 0) + by;
        if (users > 0) this.clusters.set(cluster, users);
        else this.clusters.delete(cluster);
      }
    }
  }
}

// Route lists are never mutated once made (and kept between compiles by an incremental compiler).
const listClusters = new WeakMap<readonly IRRoute[], string[]>();

/** The clusters a route list forwards or mirrors to, each once. */
export function clustersOf(routes: readonly IRRoute[]): string[] {
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
