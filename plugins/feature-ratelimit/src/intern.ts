import { headerToken } from './header-token.js';
import type { LabelAction } from './labels.js';
import { envoyAction } from './rate-limits.js';

export type Json = Readonly<Record<string, unknown>>;
type FixedKind = 'source_cluster' | 'destination_cluster' | 'remote_address';

/** Entries that start with the same actions: a trie over interned action objects. */
export interface EntryNode {
  readonly prefix: readonly Json[];
  readonly parent?: EntryNode;
  /** The action that leads here from the parent. */
  readonly action?: Json;
  next?: Map<Json, EntryNode>;
  entry?: Json;
}

/**
 * Equal rate-limit actions and `rate_limits` entries as one shared, frozen
 * object each, for one attach pass: 10,000 Mappings with the same label
 * group (a per-client limit, the Module's defaults) hold one entry instead of
 * 10,000 equal ones. Lowering puts them into the route JSON as they are, so
 * strict validation judges each distinct entry and action once (it remembers
 * objects it accepted), and memory holds one copy. The JSON is the same as
 * building each. Lookups go by the strings as read and by object identity:
 * no key strings are built.
 */
export class RateLimitInterner {
  private readonly fixedActions = new Map<string, Json>();
  /** request_headers by key, then header name; [plain, skip_if_absent]. */
  private readonly headers = new Map<string, Map<string, [Json?, Json?]>>();
  /** generic_key by key, then value. */
  private readonly generics = new Map<string, Map<string, Json>>();
  /** Entries by the prefix they start with (the Module's default actions of the domain). */
  private readonly roots = new Map<readonly Json[], EntryNode>();

  /** `{stage: 0, actions: [...prefix, ...actions]}`, shared with every equal entry asked for before. */
  entry(prefix: readonly Json[], actions: readonly LabelAction[]): Json {
    let node = this.root(prefix);
    for (const action of actions) node = this.child(node, action);
    return this.entryAt(node);
  }

  /** Where entries after `prefix` start; walk with `child`, end with `entryAt` (no arrays on the way). */
  root(prefix: readonly Json[]): EntryNode {
    let node = this.roots.get(prefix);
    if (!node) {
      node = { prefix };
      this.roots.set(prefix, node);
    }
    return node;
  }

  child(node: EntryNode, action: LabelAction): EntryNode {
    return this.after(node, this.action(action));
  }

  /** The node one interned action (from `action`, `fixed`, `header` or `generic`) after `node`. */
  after(node: EntryNode, json: Json): EntryNode {
    let next = node.next;
    if (!next) {
      next = new Map();
      node.next = next;
    }
    let child = next.get(json);
    if (!child) {
      child = { prefix: node.prefix, parent: node, action: json };
      next.set(json, child);
    }
    return child;
  }

  /** The entry of the actions on the way from the root to `node`. */
  entryAt(node: EntryNode): Json {
    if (!node.entry) {
      const path: Json[] = [];
      for (let at: EntryNode | undefined = node; at?.action; at = at.parent) path.push(at.action);
      const actions = node.prefix.slice();
      for (let i = path.length - 1; i >= 0; i--) actions.push(path[i]!);
      node.entry = Object.freeze({ stage: 0, actions: Object.freeze(actions) });
    }
    return node.entry;
  }

  /** The Envoy form of one action, shared with every equal one. */
  action(action: LabelAction): Json {
    switch (action.kind) {
      case 'source_cluster':
      case 'destination_cluster':
      case 'remote_address':
        return this.fixed(action.kind);
      case 'request_headers':
        return this.headerAction(action.key, action.headerName, action.skipIfAbsent === true);
      case 'generic_key':
        return this.generic(action.key, action.value);
    }
  }

  fixed(kind: FixedKind): Json {
    let json = this.fixedActions.get(kind);
    if (!json) {
      json = frozenAction({ kind });
      this.fixedActions.set(kind, json);
    }
    return json;
  }

  /**
   * A request_headers action, or undefined when `headerName` is no header token
   * (the labels' quick reader; a name seen before is not tested again).
   */
  header(key: string, headerName: string, skipIfAbsent: boolean): Json | undefined {
    const known = this.headers.get(key)?.get(headerName)?.[skipIfAbsent ? 1 : 0];
    if (known) return known;
    return headerToken.test(headerName) ? this.headerAction(key, headerName, skipIfAbsent) : undefined;
  }

  private headerAction(key: string, headerName: string, skipIfAbsent: boolean): Json {
    let byName = this.headers.get(key);
    if (!byName) {
      byName = new Map();
      this.headers.set(key, byName);
    }
    let pair = byName.get(headerName);
    if (!pair) {
      pair = [undefined, undefined];
      byName.set(headerName, pair);
    }
    const i = skipIfAbsent ? 1 : 0;
    // Built here, not by envoyAction (equal JSON; intern.test.ts compares them).
    pair[i] ??= Object.freeze({
      request_headers: Object.freeze(
        skipIfAbsent
          ? { descriptor_key: key, header_name: headerName, skip_if_absent: true }
          : { descriptor_key: key, header_name: headerName },
      ),
    });
    return pair[i];
  }

  generic(key: string, value: string): Json {
    let byValue = this.generics.get(key);
    if (!byValue) {
      byValue = new Map();
      this.generics.set(key, byValue);
    }
    let json = byValue.get(value);
    if (!json) {
      json = Object.freeze({
        generic_key: Object.freeze({ descriptor_key: key, descriptor_value: value }),
      });
      byValue.set(value, json);
    }
    return json;
  }
}

/** Freezes an Envoy action: `{<kind>: {<fields>}}`, two levels, nothing deeper. */
function frozenAction(action: LabelAction): Json {
  const json = envoyAction(action);
  for (const kind in json) Object.freeze(json[kind]);
  return Object.freeze(json);
}
