import { TypeUrl } from '@attache/core';
import { VirtualHostType } from './served-types.js';

/**
 * Listener and Cluster are the types a client may ask for without names
 * ("legacy wildcard"): the first request with an empty name list subscribes to
 * everything. So is VirtualHost: Envoy (1.39) starts its VHDS subscription
 * with an empty list and sorts what arrives by route configuration (namespace
 * matching). For the other types an empty list means no resources.
 */
export function allowsLegacyWildcard(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Cluster || typeUrl === VirtualHostType;
}

interface SortedSubscription {
  names: string[];
  key: string;
  described?: readonly string[];
  memo?: { owner: object; value: unknown };
}

/**
 * Sorted forms of shared name lists (the request readers give every stream
 * that sends the same bytes the same array: shared-name-list.ts), per type and
 * wildcard: a thousand streams subscribed alike sort their 1,000 names once and
 * hold one key string. Everything in it depends on the subscription's content
 * only (the memo too: a view is a function of the state and the content).
 */
const sortedOfList = new WeakMap<readonly string[], Map<string, SortedSubscription>>();

/** The set of a shared request list's names ('*' aside), made once per list. */
const namesOfList = new WeakMap<readonly string[], Set<string>>();
function namesOf(list: readonly string[]): Set<string> {
  let names = namesOfList.get(list);
  if (!names) {
    names = new Set(list.filter((name) => name !== '*'));
    namesOfList.set(list, names);
  }
  return names;
}

/** What one stream asked for, for one type. */
export class Subscription {
  wildcard = false;
  /** The names asked for ('*' aside); a set made from a shared request list is shared too (copied before a change). */
  private nameSet = new Set<string>();
  private nameSetShared = false;
  /** No request for this type yet: an empty first request may still mean wildcard. */
  private pristine = true;
  /** Sorted names and key, recomputed only after a change: streams evaluate far more often than they subscribe. */
  private sorted: SortedSubscription | undefined;
  /** The last SotW list as sent: ACKs repeat it verbatim, which is cheap to recognise. */
  private lastRequest: readonly string[] | undefined;
  /** The one request list the names came from, nothing else since (its sorted form is shared). */
  private source: readonly string[] | undefined;

  constructor(readonly typeUrl: string) {}

  /** SotW: every request carries the whole list. Returns whether anything changed. */
  replace(resourceNames: readonly string[]): boolean {
    // An ACK repeating the very list of the last request (request readers share equal lists): nothing changes.
    if (resourceNames === this.lastRequest && resourceNames.length > 0) {
      this.pristine = false;
      return false;
    }
    const legacyWildcard = resourceNames.length === 0 && allowsLegacyWildcard(this.typeUrl);
    // A stream that started with the legacy empty list keeps sending empty lists in its ACKs.
    const stillLegacy = legacyWildcard && (this.pristine || (this.wildcard && this.names.size === 0));
    const wildcard = stillLegacy || resourceNames.includes('*');
    this.pristine = false;
    // Most requests are ACKs repeating the same list: keep the cached sort then.
    if (wildcard === this.wildcard && this.sameAsLastRequest(resourceNames)) {
      this.lastRequest = resourceNames;
      return false;
    }
    this.lastRequest = resourceNames;
    this.source = resourceNames;
    this.sorted = undefined;
    this.wildcard = wildcard;
    this.nameSet = namesOf(resourceNames);
    this.nameSetShared = true;
    return true;
  }

  private sameAsLastRequest(resourceNames: readonly string[]): boolean {
    const last = this.lastRequest;
    if (!last || last.length !== resourceNames.length) return false;
    for (let i = 0; i < last.length; i++) if (last[i] !== resourceNames[i]) return false;
    return true;
  }

  /** Delta: requests carry changes. Returns the names that were unsubscribed. */
  update(subscribe: readonly string[], unsubscribe: readonly string[]): string[] {
    if (this.pristine && subscribe.length === 0 && allowsLegacyWildcard(this.typeUrl)) {
      this.wildcard = true;
      this.sorted = undefined;
    }
    this.pristine = false;
    // Most delta requests are ACKs that change nothing: keep the cached sort (1,000 EDS names) then.
    if (subscribe.length > 0 || unsubscribe.length > 0) {
      this.sorted = undefined;
      // Names from one list into an empty subscription: the sorted form of that list is everyone's.
      this.source = this.names.size === 0 && unsubscribe.length === 0 ? subscribe : undefined;
    }
    const dropped: string[] = [];
    if (this.source === subscribe && subscribe.length > 0) {
      // Into an empty subscription: the names are the list's, shared with every stream that sent it.
      this.nameSet = namesOf(subscribe);
      this.nameSetShared = true;
      if (subscribe.includes('*')) this.wildcard = true;
    } else {
      for (const name of subscribe) {
        if (name === '*') this.wildcard = true;
        else if (!this.nameSet.has(name)) this.ownNames().add(name);
      }
    }
    for (const name of unsubscribe) {
      if (name === '*') this.wildcard = false;
      else if (this.nameSet.has(name)) {
        this.ownNames().delete(name);
        dropped.push(name);
      }
    }
    return dropped;
  }

  /** The names asked for, '*' aside (shared: do not mutate). */
  get names(): ReadonlySet<string> {
    return this.nameSet;
  }

  /** The name set, this subscription's own (copied first if it was a shared list's). */
  private ownNames(): Set<string> {
    if (this.nameSetShared) {
      this.nameSet = new Set(this.nameSet);
      this.nameSetShared = false;
    }
    return this.nameSet;
  }

  includes(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /**
   * Canonical text of the subscription (its type, wildcard and sorted names):
   * memo key for the shared views of a snapshot. Made once per change of the
   * subscription, so a memo keyed by it hashes it once (V8 keeps a string's
   * hash); a key made per lookup (25 KB for 1,000 EDS names) was copied and
   * hashed on every evaluation of every stream.
   */
  key(): string {
    return this.cache().key;
  }

  /** `shared` is equal to `key()`: keep that one string, so that streams subscribed alike hold one copy. */
  adoptKey(shared: string): void {
    const cached = this.cache();
    if (cached.key !== shared) throw new Error('sink-ads: adoptKey with another key');
    cached.key = shared;
  }

  /** What `owner` computed for this subscription as it is now (forgotten when it changes). */
  recalled(owner: object): unknown {
    const memo = this.sorted?.memo;
    return memo !== undefined && memo.owner === owner ? memo.value : undefined;
  }

  /** Remember `value` for `owner` until the subscription changes; one owner at a time. */
  remember(owner: object, value: unknown): void {
    this.cache().memo = { owner, value };
  }

  /** The names, sorted (shared: do not mutate). */
  sortedNames(): readonly string[] {
    return this.cache().names;
  }

  /** For stream info: '*' first when wildcard, then the names. Shared until the subscription changes: do not mutate. */
  describe(): readonly string[] {
    const cached = this.cache();
    cached.described ??= this.wildcard ? ['*', ...cached.names] : cached.names;
    return cached.described;
  }

  private cache(): SortedSubscription {
    if (!this.sorted && this.source) {
      let forms = sortedOfList.get(this.source);
      if (!forms) {
        forms = new Map();
        sortedOfList.set(this.source, forms);
      }
      // The same list may come for several types (['*'] for Listener and Cluster).
      const form = `${this.typeUrl}\n${this.wildcard ? '*' : ''}`;
      let shared = forms.get(form);
      if (!shared) {
        shared = this.sortedNow();
        forms.set(form, shared);
      }
      this.sorted = shared;
    }
    this.sorted ??= this.sortedNow();
    return this.sorted;
  }

  private sortedNow(): SortedSubscription {
    const names = [...this.names].sort();
    return { names, key: `${this.typeUrl}\n${this.wildcard ? '*' : ''}|${names.join('\u0000')}` };
  }
}
