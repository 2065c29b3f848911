import {
  type CompileResult,
  emptyXdsResources,
  lazyField,
  type ResourceRef,
  type XdsResource,
  type XdsTypeUrl,
  xdsPushOrder,
} from '@attache/core';
import type { WireGroupResult, WireResource } from './compile-protocol.js';
import { RouteTableText } from './route-table-text.js';

/**
 * A compile result sent from the compile worker as a change to what it sent
 * last time (`WireGroupResult`): the worker's side writes it, the runtime's
 * side reads it back into whole resource lists. An edit to one Mapping moves
 * the resources it changed, not the configuration's tens of thousands.
 */

/** Resources whose JSON text is kept beside them (sinks encode those in another thread). */
const keepTextFrom = 64 * 1024;

/** A resource as last sent: its version, provenance and flag. */
interface SentResource {
  version: string;
  provenance: readonly ResourceRef[];
  byNameOnly: boolean;
}

/** What was last sent of one group: each resource by 'typeUrl name', and each type's names in order. */
export interface SentGroup {
  serial: number;
  byKey: Map<string, SentResource>;
  names: Map<XdsTypeUrl, string[]>;
}

/** The worker's side: remembers what it sent per group. */
export class WireResultWriter {
  readonly #sent = new Map<string, SentGroup>();
  readonly #texts = new RouteTableText();
  #serial = 0;

  /** Forget everything sent: the next results carry every resource in full. */
  forget(): void {
    this.#sent.clear();
  }

  /**
   * A group's result as a change to what was last sent. Nothing is remembered until
   * `remember(group, after)`, so a compile that throws for a later group leaves both sides in step.
   * A provenance list is compared by identity first (the compiler keeps the same array while
   * its refs are the same), and ref by ref only when it is another array.
   */
  write(
    group: string,
    result: Pick<CompileResult, 'xds'>,
  ): Pick<WireGroupResult, 'base' | 'serial' | 'changed' | 'order'> & { after: SentGroup } {
    const before = this.#sent.get(group);
    const after: SentGroup = { serial: ++this.#serial, byKey: new Map(), names: new Map() };
    const changed: WireResource[] = [];
    const order: WireGroupResult['order'] = {};
    for (const typeUrl of xdsPushOrder) {
      const list = result.xds[typeUrl];
      const lastNames = before?.names.get(typeUrl);
      let sameOrder = lastNames !== undefined && lastNames.length === list.length;
      const names: string[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        names[i] = r.name;
        if (sameOrder && lastNames![i] !== r.name) sameOrder = false;
        const key = `${typeUrl} ${r.name}`;
        const last = before?.byKey.get(key);
        const byNameOnly = r.byNameOnly === true;
        const now: SentResource = { version: r.version, provenance: r.provenance, byNameOnly };
        const sameProvenance = last !== undefined && sameRefs(last.provenance, r.provenance);
        after.byKey.set(key, now);
        if (last?.version === r.version && sameProvenance && last.byNameOnly === byNameOnly) continue;
        const wire: WireResource = { typeUrl, name: r.name, version: r.version };
        if (byNameOnly) wire.byNameOnly = true;
        if (last?.version !== r.version) wire.json = this.#texts.of(r.resource);
        if (!sameProvenance) wire.provenance = r.provenance;
        changed.push(wire);
      }
      after.names.set(typeUrl, names);
      if (!sameOrder) order[typeUrl] = names;
    }
    return { base: before?.serial ?? 0, serial: after.serial, changed, order, after };
  }

  remember(group: string, after: SentGroup): void {
    this.#sent.set(group, after);
  }
}

/**
 * Whether two provenance lists name the same refs: the same array (the compiler keeps it while
 * its refs are the same), or the same refs one by one, field by field.
 */
function sameRefs(a: readonly ResourceRef[], b: readonly ResourceRef[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (
      x.name !== y.name ||
      x.namespace !== y.namespace ||
      x.kind !== y.kind ||
      x.apiVersion !== y.apiVersion ||
      x.source !== y.source ||
      Object.keys(x).length !== Object.keys(y).length
    )
      return false;
  }
  return true;
}

/** The last result read of one group. */
interface ReadGroup {
  serial: number;
  byKey: Map<string, XdsResource>;
  names: Map<XdsTypeUrl, readonly string[]>;
}

/** A group's resource lists as read back. */
export type ReadGroupResults = Map<string, Pick<CompileResult, 'xds' | 'diagnostics'>>;

/** The runtime's side: remembers the last result it read per group. */
export class WireResultReader {
  readonly #previous = new Map<string, ReadGroup>();

  /** Forget the last results: the next must carry every resource in full. */
  forget(): void {
    this.#previous.clear();
  }

  /**
   * Rebuilds each group's resource lists: a resource not in `changed` is the object of the
   * last result (so sinks see the same object and reuse its encoding), a changed one a new
   * object. Throws when the result changes another one than it read last, or names a
   * resource it has no earlier copy of (the two sides are out of step: forget() both and send
   * everything). `pause` is awaited after each changed resource (the runtime yields to its
   * event loop there).
   */
  async read(wire: readonly WireGroupResult[], pause?: () => Promise<void>): Promise<ReadGroupResults> {
    const out: ReadGroupResults = new Map();
    const read = new Map<string, ReadGroup>();
    for (const { group, diagnostics, base, serial, changed, order } of wire) {
      const last = this.#previous.get(group);
      if (base !== 0 && last?.serial !== base) {
        throw new Error(
          `compile worker: group ${group}'s result changes result ${base}, but the last one read is ${last?.serial ?? 'none'}`,
        );
      }
      const before = base === 0 ? undefined : last;
      const changedByKey = new Map<string, WireResource>();
      for (const r of changed) changedByKey.set(`${r.typeUrl} ${r.name}`, r);
      const after: ReadGroup = { serial, byKey: new Map(), names: new Map() };
      const xds = emptyXdsResources();
      for (const typeUrl of xdsPushOrder) {
        const names = order[typeUrl] ?? before?.names.get(typeUrl) ?? [];
        after.names.set(typeUrl, names);
        const list = xds[typeUrl];
        for (const name of names) {
          const key = `${typeUrl} ${name}`;
          const kept = before?.byKey.get(key);
          const r = changedByKey.get(key);
          let emitted: XdsResource;
          if (r === undefined) {
            if (!kept) throw new Error(`compile worker: no earlier copy of ${key}`);
            emitted = kept;
          } else {
            changedByKey.delete(key);
            emitted = readChanged(r, kept, key);
            await pause?.();
          }
          list.push(emitted);
          after.byKey.set(key, emitted);
        }
      }
      if (changedByKey.size > 0) {
        throw new Error(`compile worker: ${[...changedByKey.keys()][0]} changed but is not listed`);
      }
      read.set(group, after);
      out.set(group, { xds, diagnostics });
    }
    for (const [group, after] of read) this.#previous.set(group, after);
    return out;
  }
}

/**
 * A changed resource: the worker's JSON and provenance, or the kept copy's where it left them out.
 * A large resource keeps its text, and its object is parsed from it only when first read: the
 * ADS sink encodes such resources from their text in another thread, so a 4 MB route table
 * changed by one Mapping is often never parsed in the runtime's thread at all.
 */
function readChanged(r: WireResource, kept: XdsResource | undefined, key: string): XdsResource {
  if ((r.json === undefined && kept?.version !== r.version) || (!r.provenance && !kept)) {
    throw new Error(`compile worker: no earlier copy of ${key}`);
  }
  const text = r.json ?? kept?.text;
  // `resource` is defined below, in this place among the keys (as a compile() result has them).
  const emitted: XdsResource = {
    typeUrl: r.typeUrl,
    name: r.name,
    version: r.version,
    resource: {},
    provenance: r.provenance ?? kept!.provenance,
  };
  if (r.json === undefined) {
    // The kept copy's resource as it is: its object, or its parse still to come.
    Object.defineProperty(emitted, 'resource', Object.getOwnPropertyDescriptor(kept!, 'resource')!);
  } else if (text !== undefined && text.length >= keepTextFrom) {
    lazyField(emitted, 'resource', () => JSON.parse(text) as Record<string, unknown>);
  } else emitted.resource = JSON.parse(r.json) as Record<string, unknown>;
  if (r.byNameOnly) emitted.byNameOnly = true;
  if (text !== undefined && text.length >= keepTextFrom) emitted.text = text;
  return emitted;
}
