import { TypeUrl } from '@attache/core';

/**
 * Listener and Cluster are the types a client may ask for without names
 * ("legacy wildcard"): the first request with an empty name list subscribes to
 * everything. For the other types an empty list means no resources.
 */
export function allowsLegacyWildcard(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Cluster;
}

/** What one stream asked for, for one type. */
export class Subscription {
  wildcard = false;
  readonly names = new Set<string>();
  /** No request for this type yet: an empty first request may still mean wildcard. */
  private pristine = true;

  constructor(readonly typeUrl: string) {}

  /** SotW: every request carries the whole list. Returns whether anything changed. */
  replace(resourceNames: readonly string[]): boolean {
    const before = this.key();
    const legacyWildcard = resourceNames.length === 0 && allowsLegacyWildcard(this.typeUrl);
    // A stream that started with the legacy empty list keeps sending empty lists in its ACKs.
    const stillLegacy = legacyWildcard && (this.pristine || (this.wildcard && this.names.size === 0));
    this.pristine = false;
    this.names.clear();
    this.wildcard = stillLegacy || resourceNames.includes('*');
    for (const name of resourceNames) if (name !== '*') this.names.add(name);
    return this.key() !== before;
  }

  /** Delta: requests carry changes. Returns the names that were unsubscribed. */
  update(subscribe: readonly string[], unsubscribe: readonly string[]): string[] {
    if (this.pristine && subscribe.length === 0 && allowsLegacyWildcard(this.typeUrl)) this.wildcard = true;
    this.pristine = false;
    const dropped: string[] = [];
    for (const name of subscribe) {
      if (name === '*') this.wildcard = true;
      else this.names.add(name);
    }
    for (const name of unsubscribe) {
      if (name === '*') this.wildcard = false;
      else if (this.names.delete(name)) dropped.push(name);
    }
    return dropped;
  }

  includes(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /** Canonical text of the subscription: memo key for the shared views of a snapshot. */
  key(): string {
    const names = [...this.names].sort();
    return `${this.wildcard ? '*' : ''}|${names.join('\u0000')}`;
  }

  describe(): string[] {
    const names = [...this.names].sort();
    return this.wildcard ? ['*', ...names] : names;
  }
}
