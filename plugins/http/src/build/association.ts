import { hostGlobsIntersect } from '../hostglob.js';
import type { HttpHost } from '../model.js';
import { isEmptySelector, selectorMatches } from '../selector.js';
import { parseService } from '../service.js';
import type { RouteGroup } from './groups.js';

/**
 * Emissary's Host↔Mapping rule (IRHost.matches_httpgroup): a group attaches
 * to a Host when its hostname glob intersects the Host's (a host_regex group
 * attaches everywhere; a host_redirect group without hostname uses its
 * redirect target), or when the Host's mappingSelector matches a member's
 * labels. A Mapping with neither attaches nowhere.
 *
 * Exact hostnames are indexed, so an exact Host looks its groups up instead
 * of testing every group.
 */
export class GroupIndex {
  readonly #groups: readonly RouteGroup[];
  readonly #exact = new Map<string, number[]>();
  readonly #other: number[] = [];
  readonly #globs: Array<string | null | true> = [];

  constructor(groups: readonly RouteGroup[]) {
    this.#groups = groups;
    groups.forEach((g, i) => {
      const glob = globOf(g);
      this.#globs.push(glob);
      if (typeof glob === 'string' && !glob.includes('*')) {
        const list = this.#exact.get(glob);
        if (list) list.push(i);
        else this.#exact.set(glob, [i]);
      } else if (glob !== null) {
        this.#other.push(i);
      }
    });
  }

  /** The groups attached to a Host, in route order. */
  groupsFor(host: HttpHost): RouteGroup[] {
    const picked = new Set<number>();
    if (!host.hostname.includes('*')) {
      for (const i of this.#exact.get(host.hostname) ?? []) picked.add(i);
    } else {
      for (const [name, list] of this.#exact) {
        if (hostGlobsIntersect(host.hostname, name)) for (const i of list) picked.add(i);
      }
    }
    for (const i of this.#other) {
      const glob = this.#globs[i]!;
      if (glob === true || hostGlobsIntersect(host.hostname, glob as string)) picked.add(i);
    }
    if (!isEmptySelector(host.mappingSelector)) {
      this.#groups.forEach((g, i) => {
        if (picked.has(i)) return;
        const all = [...g.members.map((m) => m.mapping), ...g.shadows];
        if (all.some((m) => selectorMatches(host.mappingSelector, m.labels))) picked.add(i);
      });
    }
    return [...picked].sort((a, b) => a - b).map((i) => this.#groups[i]!);
  }
}

/** A group's hostname glob; true for a regex (matches every Host); null when it has none. */
function globOf(group: RouteGroup): string | null | true {
  if (group.authority) return 'regex' in group.authority ? true : group.authority.glob;
  const first = group.members[0]?.mapping ?? group.shadows[0];
  if (first?.spec.host_redirect) {
    const target = parseService(first.spec.service);
    if (!('error' in target)) return target.host;
  }
  return null;
}
