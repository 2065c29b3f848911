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

  constructor(
    private readonly all: ReadonlyMap<string, EncodedResource>,
    domains: ReadonlyMap<string, readonly string[]>,
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
  }

  /** Whether `name` is a route configuration whose virtual hosts are served here. */
  isTable(name: string): boolean {
    return this.tables.has(name);
  }

  select(subscription: Subscription): ReadonlyMap<string, EncodedResource> {
    if (subscription.wildcard && subscription.names.size === 0) return this.all;
    const picked = new Map<string, EncodedResource>(subscription.wildcard ? this.all : []);
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
    // Answers to on-demand requests last, so that the alias-bearing form wins over the plain one.
    for (const alias of aliases) {
      const answer = this.answer(alias);
      picked.set(answer.name, answer);
    }
    return picked;
  }

  private answer(alias: string): EncodedResource {
    let answer = this.answers.get(alias);
    if (answer) return answer;
    const tableName = vhdsNamespaceOf(alias);
    const table = tableName === undefined ? undefined : this.tables.get(tableName);
    const index =
      table && tableName !== undefined
        ? matchVirtualHost(table.domains, alias.slice(tableName.length + 1))
        : -1;
    const match = index >= 0 ? this.all.get(table?.names[index] ?? '') : undefined;
    answer = match ? withAlias(match, alias) : unresolvedAlias(alias);
    this.answers.set(alias, answer);
    return answer;
  }
}
