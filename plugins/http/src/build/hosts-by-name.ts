import type { HttpHost } from '../model.js';
import { groupGlob } from './association.js';
import type { RouteGroup } from './groups.js';
import { attaches } from './kept-groups.js';

/**
 * The Hosts of one compile by hostname, to find the Hosts a route group attaches to
 * (`attaches`) without asking each of them: a group whose glob has no `*` attaches to
 * the Hosts of exactly that name and, perhaps, to those whose own name is a glob. A
 * one-Mapping edit among 5,000 Hosts then looks at the few Hosts of its hostname, not
 * at all of them. Made again whenever the Host objects differ (it holds them).
 */
export class HostsByName {
  readonly #exact = new Map<string, HttpHost[]>();
  readonly #globs: HttpHost[] = [];

  constructor(readonly hosts: readonly HttpHost[]) {
    for (const host of hosts) {
      if (host.hostname.includes('*')) {
        this.#globs.push(host);
        continue;
      }
      const same = this.#exact.get(host.hostname);
      if (same) same.push(host);
      else this.#exact.set(host.hostname, [host]);
    }
  }

  /** Calls `each` once for every Host `group` attaches to (in no set order). */
  forEachAttached(group: RouteGroup, each: (host: HttpHost) => void): void {
    const glob = groupGlob(group);
    if (glob === null) return;
    if (glob === true || glob.includes('*')) {
      for (const host of this.hosts) if (attaches(group, host)) each(host);
      return;
    }
    for (const host of this.#exact.get(glob) ?? []) each(host);
    for (const host of this.#globs) if (attaches(group, host)) each(host);
  }

  /** Whether `group` attaches to any Host. */
  attachesAny(group: RouteGroup): boolean {
    const glob = groupGlob(group);
    if (glob === null) return false;
    if (glob === true || glob.includes('*')) return this.hosts.some((host) => attaches(group, host));
    return this.#exact.has(glob) || this.#globs.some((host) => attaches(group, host));
  }
}
