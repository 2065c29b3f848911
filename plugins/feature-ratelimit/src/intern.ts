import type { LabelAction } from './labels.js';
import { envoyAction } from './rate-limits.js';

type Json = Readonly<Record<string, unknown>>;

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
  private readonly fixed = new Map<string, Json>();
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
    const json = this.action(action);
    node.next ??= new Map();
    let child = node.next.get(json);
    if (!child) {
      child = { prefix: node.prefix, parent: node, action: json };
      node.next.set(json, child);
    }
    return child;
  }

  /** The entry of the actions on the way from the root to `node`. */
  entryAt(node: EntryNode): Json {
    if (!node.entry) {
      const actions: Json[] = [];
      for (let at: EntryNode | undefined = node; at?.action; at = at.parent) actions.push(at.action);
      node.entry = Object.freeze({
        stage: 0,
        actions: Object.freeze([...node.prefix, ...actions.reverse()]),
      });
    }
    return node.entry;
  }

  /** The Envoy form of one action, shared with every equal one. */
  action(action: LabelAction): Json {
    switch (action.kind) {
      case 'source_cluster':
      case 'destination_cluster':
      case 'remote_address': {
        let json = this.fixed.get(action.kind);
        if (!json) {
          json = frozenAction(action);
          this.fixed.set(action.kind, json);
        }
        return json;
      }
      case 'request_headers': {
        let byName = this.headers.get(action.key);
        if (!byName) {
          byName = new Map();
          this.headers.set(action.key, byName);
        }
        let pair = byName.get(action.headerName);
        if (!pair) {
          pair = [undefined, undefined];
          byName.set(action.headerName, pair);
        }
        const i = action.skipIfAbsent ? 1 : 0;
        pair[i] ??= frozenAction(action);
        return pair[i];
      }
      case 'generic_key': {
        let byValue = this.generics.get(action.key);
        if (!byValue) {
          byValue = new Map();
          this.generics.set(action.key, byValue);
        }
        let json = byValue.get(action.value);
        if (!json) {
          json = frozenAction(action);
          byValue.set(action.value, json);
        }
        return json;
      }
    }
  }
}

/** Freezes an Envoy action: `{<kind>: {<fields>}}`, two levels, nothing deeper. */
function frozenAction(action: LabelAction): Json {
  const json = envoyAction(action);
  for (const kind in json) Object.freeze(json[kind]);
  return Object.freeze(json);
}
