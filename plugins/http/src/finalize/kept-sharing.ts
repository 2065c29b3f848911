import { compareStrings, type IRRouteConfig } from '@attache/core';

/** Route configurations with the same route table, by name (compareStrings order). */
export interface ShareClass {
  readonly signature: string;
  readonly members: IRRouteConfig[];
}

/**
 * The classes of identical route tables among the route configurations this
 * plugin owns, kept from one compile to the next under an incremental
 * compiler: only the configurations that are new objects since the last
 * compile (a one-Mapping edit makes a few) leave their class and join one
 * again, found by signature and compared in full within it. With names gone,
 * or many changes, everything is classed again, as a full compile does.
 */
export class KeptSharing {
  private configs = new Map<string, IRRouteConfig>();
  private classOf = new Map<string, ShareClass>();
  private bySignature = new Map<string, ShareClass[]>();
  /** The classes of two configurations or more: those that become one. */
  private sharing = new Set<ShareClass>();
  /** The owned names of the last patch, in order, and their configurations (as in `configs`). */
  private order: { owned: readonly string[]; configs: readonly IRRouteConfig[] } | undefined;

  constructor(
    private readonly signatureOf: (config: IRRouteConfig) => string,
    private readonly same: (a: IRRouteConfig, b: IRRouteConfig) => boolean,
  ) {}

  /**
   * The classes of two or more configurations among `owned` (names of route configurations in
   * `configs`; a name without one is left out), each in name order. `sorted` gives the owned
   * names in compareStrings order; it is called only when everything is classed again.
   */
  classes(
    owned: readonly string[],
    configs: Readonly<Record<string, IRRouteConfig>>,
    sorted: () => readonly string[],
  ): Iterable<ShareClass> {
    if (!this.patch(owned, configs)) this.rebuild(sorted(), configs);
    return this.sharing;
  }

  /** Only the changed configurations classed again; false when that cannot be done. */
  private patch(owned: readonly string[], configs: Readonly<Record<string, IRRouteConfig>>): boolean {
    // Set again below when the patch is made (the classes then hold `owned` as `now`).
    const last = this.order;
    this.order = undefined;
    if (this.configs.size === 0) return false;
    const changed: Array<[string, IRRouteConfig]> = [];
    const now = new Array<IRRouteConfig>(owned.length);
    let added = 0;
    for (let i = 0; i < owned.length; i++) {
      const name = owned[i]!;
      const config = configs[name];
      if (config === undefined) return false;
      now[i] = config;
      // The last compile's name at this position (thousands of unchanged ones): no map lookup.
      const before = last !== undefined && last.owned[i] === name ? last.configs[i] : this.configs.get(name);
      if (before === config) continue;
      if (before === undefined) added++;
      changed.push([name, config]);
      if (changed.length > 64) return false;
    }
    // Every name of the last compile is still owned (names are unique): nothing to take out.
    if (owned.length !== this.configs.size + added) return false;
    for (const [name] of changed) this.leave(name);
    for (const [name, config] of changed) this.join(name, config, true);
    this.order = { owned, configs: now };
    return true;
  }

  private rebuild(sorted: readonly string[], configs: Readonly<Record<string, IRRouteConfig>>): void {
    this.configs = new Map();
    this.classOf = new Map();
    this.bySignature = new Map();
    this.sharing = new Set();
    for (const name of sorted) {
      const config = configs[name];
      if (config !== undefined) this.join(name, config, false);
    }
  }

  private leave(name: string): void {
    const cls = this.classOf.get(name);
    if (cls === undefined) return;
    this.classOf.delete(name);
    this.configs.delete(name);
    const at = cls.members.findIndex((c) => c.name === name);
    if (at >= 0) cls.members.splice(at, 1);
    if (cls.members.length < 2) this.sharing.delete(cls);
    if (cls.members.length > 0) return;
    const list = this.bySignature.get(cls.signature)!;
    list.splice(list.indexOf(cls), 1);
    if (list.length === 0) this.bySignature.delete(cls.signature);
  }

  /** `insert`: placed in its class by name; otherwise appended (a rebuild, in name order). */
  private join(name: string, config: IRRouteConfig, insert: boolean): void {
    const signature = this.signatureOf(config);
    let list = this.bySignature.get(signature);
    if (list === undefined) {
      list = [];
      this.bySignature.set(signature, list);
    }
    let cls = list.find((c) => this.same(c.members[0]!, config));
    if (cls === undefined) {
      cls = { signature, members: [] };
      list.push(cls);
    }
    if (insert) cls.members.splice(insertionPoint(cls.members, name), 0, config);
    else cls.members.push(config);
    if (cls.members.length >= 2) this.sharing.add(cls);
    this.classOf.set(name, cls);
    this.configs.set(name, config);
  }
}

function insertionPoint(members: readonly IRRouteConfig[], name: string): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareStrings(members[mid]!.name, name) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
