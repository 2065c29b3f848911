import { hostGlobsIntersect } from '../hostglob.js';
import type { HttpHost } from '../model.js';
import { isEmptySelector, selectorMatches } from '../selector.js';
import { parseService } from '../service.js';
import type { RouteGroup } from './groups.js';

/**
 * Emissary's Host↔Mapping rule (IRHost.matches_httpgroup, with the strict
 * label selectors that are its default since 3.2): a group's hostname glob
 * must intersect the Host's (a host_regex group matches every Host; a
 * host_redirect group without hostname uses its redirect target). When the
 * Host has a mappingSelector, a member's labels must match it too, and a
 * group without hostname attaches by those labels alone. A Mapping with
 * neither hostname nor selected labels attaches nowhere.
 *
 * Exact hostnames are indexed, so an exact Host looks its groups up instead
 * of testing every group.
 */
export class GroupIndex {
  readonly #groups: readonly RouteGroup[];
  readonly #exact = new Map<string, number[]>();
  readonly #other: number[] = [];
  readonly #globs: Array<string | null | true> = [];

  readonly #strict: boolean;
  /**
   * By position in the groups: 1 for each group some groupsFor answer has held. Once every Host
   * has asked, the groups attached to no Host are the 0s (no set of the ~10,000 attached groups).
   */
  readonly given: Uint8Array;

  /** `strict`: a Host's mappingSelector must also match groups that have a hostname (Emissary ≥ 3.2). */
  constructor(groups: readonly RouteGroup[], strict = true) {
    this.#groups = groups;
    this.#strict = strict;
    this.given = new Uint8Array(groups.length);
    groups.forEach((g, i) => {
      const glob = groupGlob(g);
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
    if (!host.hostname.includes('*') && isEmptySelector(host.mappingSelector))
      return this.#exactHostGroups(host);
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
      const labelled = (g: RouteGroup) =>
        [...g.members.map((m) => m.mapping), ...g.shadows].some((m) =>
          selectorMatches(host.mappingSelector, m.labels),
        );
      if (!this.#strict) {
        // Emissary before 3.2 (or DISABLE_STRICT_LABEL_SELECTORS): hostname or labels.
        this.#groups.forEach((g, i) => {
          if (!picked.has(i) && labelled(g)) picked.add(i);
        });
      } else {
        // Strict: the selector narrows hostname matches and alone picks groups without a hostname.
        const selected: RouteGroup[] = [];
        this.#groups.forEach((g, i) => {
          if ((this.#globs[i] === null || picked.has(i)) && labelled(g)) {
            selected.push(g);
            this.given[i] = 1;
          }
        });
        return selected;
      }
    }
    for (const i of picked) this.given[i] = 1;
    return [...picked].sort((a, b) => a - b).map((i) => this.#groups[i]!);
  }

  /**
   * groupsFor of a Host with an exact hostname and no mappingSelector (the usual one): the groups
   * of its name and the glob groups that match it, two lists already in route order (indices
   * ascending, none in both), merged rather than gathered in a set and sorted.
   */
  #exactHostGroups(host: HttpHost): RouteGroup[] {
    const groups = this.#groups;
    const exact = this.#exact.get(host.hostname) ?? [];
    const other = this.#other;
    const given = this.given;
    const out: RouteGroup[] = [];
    let e = 0;
    for (let o = 0; o < other.length; o++) {
      const i = other[o]!;
      const glob = this.#globs[i]!;
      if (glob !== true && !hostGlobsIntersect(host.hostname, glob as string)) continue;
      while (e < exact.length && exact[e]! < i) {
        given[exact[e]!] = 1;
        out.push(groups[exact[e++]!]!);
      }
      given[i] = 1;
      out.push(groups[i]!);
    }
    while (e < exact.length) {
      given[exact[e]!] = 1;
      out.push(groups[exact[e++]!]!);
    }
    return out;
  }
}

/** A group's hostname glob; true for a regex (matches every Host); null when it has none. */
export function groupGlob(group: RouteGroup): string | null | true {
  if (group.authority) return 'regex' in group.authority ? true : group.authority.glob;
  const first = group.members[0]?.mapping ?? group.shadows[0];
  if (first?.fields.host_redirect) {
    const target = parseService(first.fields.service);
    if (!('error' in target)) return target.host;
  }
  return null;
}
