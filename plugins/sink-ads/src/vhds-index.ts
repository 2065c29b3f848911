import { matchVirtualHost, vhdsNamespaceOf } from '@attache/envoy';
import type { Subscription } from './subscription.js';
import { unresolvedAlias, withAlias } from './vhds-aliases.js';
import type { EncodedResource } from './xds-codec.js';

/**
 * What a VHDS subscription selects. Envoy subscribes to a route configuration's
 * virtual hosts by naming the route configuration (namespace matching:
 * `<route configuration>` stands for every `<route configuration>/…`), and its
 * on-demand filter asks for `<route configuration>/<authority>`: that alias is
 * answered with the virtual host Envoy would match for the authority, carrying
 * the alias, or with an empty resource when none matches.
 */
export class VhdsIndex {
  private readonly tables = new Map<string, { names: string[]; domains: (readonly string[])[] }>();
  private readonly answers = new Map<string, EncodedResource>();
  /** What a wildcard subscription gets: every virtual host, or (lazy) those of tables that cannot wait. */
  private readonly eager: ReadonlyMap<string, EncodedResource>;

  /**
   * `lazy`: a table whose virtual hosts all have exact domains sends none on the
   * wildcard subscription; Envoy's on-demand filter asks for each when it first
   * sees its authority. A table with a wildcard domain (`*`, `*.x`, `x.*`) is
   * always sent whole: Envoy would match a request to a wildcard virtual host
   * it holds and never ask for the exact one it lacks.
   */
  constructor(
    private readonly all: ReadonlyMap<string, EncodedResource>,
    domains: ReadonlyMap<string, readonly string[]>,
    lazy = false,
  ) {
    for (const name of all.keys()) {
      const table = vhdsNamespaceOf(name);
      if (table === undefined) continue;
      let entry = this.tables.get(table);
      if (!entry) {
        entry = { names: [], domains: [] };
        this.tables.set(table, entry);
      }
      entry.names.push(name);
      entry.domains.push(domains.get(name) ?? []);
    }
    if (!lazy) {
      this.eager = all;
      return;
    }
    const eager = new Map<string, EncodedResource>();
    for (const table of this.tables.values()) {
      if (table.domains.every((list) => list.every((domain) => !domain.includes('*')))) continue;
      for (const name of table.names) eager.set(name, all.get(name) as EncodedResource);
    }
    this.eager = eager;
  }

  /** Whether `name` is a route configuration whose virtual hosts are served here. */
  isTable(name: string): boolean {
    return this.tables.has(name);
  }

  select(subscription: Subscription): ReadonlyMap<string, EncodedResource> {
    if (subscription.wildcard && subscription.names.size === 0) return this.eager;
    const picked = new Map<string, EncodedResource>(subscription.wildcard ? this.eager : []);
    const aliases: string[] = [];
    for (const name of subscription.sortedNames()) {
      const table = this.tables.get(name);
      if (table) {
        for (const member of table.names) picked.set(member, this.all.get(member) as EncodedResource);
        continue;
      }
      const exact = this.all.get(name);
      if (exact) picked.set(name, exact);
      else aliases.push(name);
    }
    // Answers to on-demand requests last, so that the alias-bearing form wins over the plain one;
    // aliases that resolve to the same virtual host are answered by one resource carrying them all.
    const byTarget = new Map<string, string[]>();
    for (const alias of aliases) {
      const target = this.resolve(alias) ?? alias;
      byTarget.set(target, [...(byTarget.get(target) ?? []), alias]);
    }
    for (const [target, targetAliases] of byTarget) picked.set(target, this.answer(target, targetAliases));
    return picked;
  }

  /** The name under which a view holds the answer to the on-demand request `alias`. */
  answerName(alias: string): string {
    return this.resolve(alias) ?? alias;
  }

  /** Whether a subscribed name is an on-demand alias (neither a table nor a virtual host's own name). */
  isAlias(name: string): boolean {
    return !this.tables.has(name) && !this.all.has(name);
  }

  /** The virtual host Envoy would pick for an alias `<table>/<authority>`, by resource name. */
  private resolve(alias: string): string | undefined {
    const tableName = vhdsNamespaceOf(alias);
    const table = tableName === undefined ? undefined : this.tables.get(tableName);
    if (!table || tableName === undefined) return undefined;
    const index = matchVirtualHost(table.domains, alias.slice(tableName.length + 1));
    return index >= 0 ? table.names[index] : undefined;
  }

  private answer(target: string, aliases: readonly string[]): EncodedResource {
    const key = `${target}\n${aliases.join('\n')}`;
    let answer = this.answers.get(key);
    if (answer) return answer;
    const match = this.all.get(target);
    answer = match ? withAlias(match, aliases) : unresolvedAlias(target);
    this.answers.set(key, answer);
    return answer;
  }
}
