import {
  compareStrings,
  type IRFilterChain,
  type IRListener,
  type IRRouteConfig,
  type IRVirtualHost,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
} from '@attache/core';
import { ExtKey } from '../model.js';
import { KeptSharing } from './kept-sharing.js';

/**
 * Route configurations this plugin made that are identical (every field but
 * the name and provenance) become one, referenced by every filter chain that
 * served any of them. An XFP Listener pair serves the same cleartext route
 * table on both ports: sharing it halves what Envoy receives, and what the
 * compiler lowers, validates and hashes.
 *
 * The shared configuration keeps the first name by compareStrings of those it
 * replaces: a name of one of its owners, independent of input order, and the
 * same one as long as that owner still shares it. A content hash would rename
 * the configuration (and so change every listener naming it) on any route change.
 */
export function shareRouteConfigs(ctx: PassContext): void {
  const owned = (ctx.ir.ext[ExtKey.ownedRouteConfigs] as string[] | undefined) ?? [];
  if (owned.length < 2) return;
  // Cheap signature first (virtual host names and domains); deep comparison only within a bucket.
  // Under an incremental compiler the classes are kept, and only changed configurations classed again.
  const sharing =
    ctx.memo?.reuse(keptSharingKey, '', () => new KeptSharing(signatureOf, sameRouteTable)) ??
    new KeptSharing(signatureOf, sameRouteTable);
  const classes = sharing.classes(owned, ctx.ir.routeConfigs, () => sortedNames(ctx, owned));
  const renamed = new Map<string, string>();
  for (const { members } of classes) {
    const [keep, ...rest] = members;
    // Copy-on-write: the configurations may be kept from the last compile (incremental compiler).
    ctx.ir.routeConfigs[keep!.name] = sharedCopy(keep!, rest);
    for (const config of rest) {
      renamed.set(config.name, keep!.name);
      delete ctx.ir.routeConfigs[config.name];
    }
  }
  if (renamed.size === 0) return;
  const rename = <T extends IRFilterChain | undefined>(chain: T): T => {
    if (chain?.kind !== 'http') return chain;
    const to = renamed.get(chain.routeConfigName);
    return to === undefined ? chain : { ...chain, routeConfigName: to };
  };
  // In name order: the same renaming gives the same key whatever order the classes come in.
  const renaming = JSON.stringify([...renamed].sort((a, b) => compareStrings(a[0], b[0])));
  for (const [name, listener] of Object.entries(ctx.ir.listeners)) {
    // The same listener renamed the same way: the copy made last time (incremental compiler).
    const known = renamedCopies.get(listener);
    if (known?.renaming === renaming) {
      ctx.ir.listeners[name] = known.copy;
      continue;
    }
    const filterChains = listener.filterChains.map(rename);
    const defaultFilterChain = rename(listener.defaultFilterChain);
    if (
      defaultFilterChain === listener.defaultFilterChain &&
      filterChains.every((chain, i) => chain === listener.filterChains[i])
    ) {
      continue;
    }
    const copy = { ...listener, filterChains };
    if (defaultFilterChain !== undefined) copy.defaultFilterChain = defaultFilterChain;
    renamedCopies.set(listener, { renaming, copy });
    ctx.ir.listeners[name] = copy;
  }
  ctx.ir.ext[ExtKey.ownedRouteConfigs] = withoutNames(owned, renamed);
}

/** `owned` without the names `gone` has: a few (the cleartext table an XFP pair shares) found by position. */
function withoutNames(owned: readonly string[], gone: ReadonlyMap<string, string>): string[] {
  if (gone.size > 8) return owned.filter((n) => !gone.has(n));
  const out = owned.slice();
  for (const name of gone.keys()) {
    const at = out.indexOf(name);
    if (at >= 0) out.splice(at, 1);
  }
  return out;
}

// Route configurations are never mutated once made: what is derived from one is kept with it.
const signatures = new WeakMap<IRRouteConfig, string>();
const pieces = new WeakMap<IRVirtualHost, number>();
const merged = new WeakMap<
  readonly ResourceRef[],
  { rest: ReadonlyArray<readonly ResourceRef[]>; merged: ResourceRef[] }
>();

/** mergeProvenance of `keep`'s and the others' provenance, kept by the identity of those lists. */
function mergedProvenance(keep: readonly ResourceRef[], rest: readonly IRRouteConfig[]): ResourceRef[] {
  const lists = rest.map((c) => c.provenance);
  const known = merged.get(keep);
  if (known && known.rest.length === lists.length && known.rest.every((l, i) => l === lists[i])) {
    return known.merged;
  }
  const result = mergeProvenance(keep, ...lists);
  merged.set(keep, { rest: lists, merged: result });
  return result;
}

const renamedCopies = new WeakMap<IRListener, { renaming: string; copy: IRListener }>();
const sharedCopies = new WeakMap<IRRouteConfig, { rest: readonly IRRouteConfig[]; copy: IRRouteConfig }>();

/**
 * Cheap signature (virtual host names and domains, route counts); deep comparison only within a
 * bucket, so it is only a bucket key: the count and a hash of one number per virtual host (kept
 * with it), not their text. (The text of a route configuration of 5,000 virtual hosts was a
 * 300 KB string, made and hashed again whenever one of its Hosts changed.) Equal tables have
 * equal signatures; unequal ones that share one are told apart by the deep comparison.
 */
function signatureOf(config: IRRouteConfig): string {
  let signature = signatures.get(config);
  if (signature === undefined) {
    let hash = 0x811c9dc5;
    for (const vh of config.virtualHosts) {
      let piece = pieces.get(vh);
      if (piece === undefined) {
        piece = fnv1a(`${vh.name}\u0000${vh.domains.join('\u0000')}\u0000${vh.routes.length}`);
        pieces.set(vh, piece);
      }
      hash = Math.imul(hash ^ piece, 0x01000193) >>> 0;
    }
    signature = `${config.validateClusters ?? null} ${config.virtualHosts.length} ${hash}`;
    signatures.set(config, signature);
  }
  return signature;
}

/** FNV-1a over UTF-16 code units (a bucket key, not a digest). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** The owned names sorted; under an incremental compiler, the last order while the names are the same. */
function sortedNames(ctx: PassContext, owned: readonly string[]): readonly string[] {
  const kept = ctx.memo?.reuse(sortedNamesKey, '', () => ({
    owned: [] as readonly string[],
    sorted: [] as string[],
  }));
  if (kept && kept.owned.length === owned.length && kept.owned.every((name, i) => name === owned[i])) {
    return kept.sorted;
  }
  const sorted = [...owned].sort(compareStrings);
  if (kept) {
    kept.owned = owned.slice();
    kept.sorted = sorted;
  }
  return sorted;
}

const sortedNamesKey = {};
const keptSharingKey = {};

/** `keep` with the provenance of those it replaces; the same copy for the same objects. */
function sharedCopy(keep: IRRouteConfig, rest: readonly IRRouteConfig[]): IRRouteConfig {
  const known = sharedCopies.get(keep);
  if (known && known.rest.length === rest.length && known.rest.every((c, i) => c === rest[i])) {
    return known.copy;
  }
  const copy = { ...keep, provenance: mergedProvenance(keep.provenance, rest) };
  sharedCopies.set(keep, { rest, copy });
  return copy;
}

function sameRouteTable(a: IRRouteConfig, b: IRRouteConfig): boolean {
  const { name: _an, provenance: _ap, ...restA } = a;
  const { name: _bn, provenance: _bp, ...restB } = b;
  return deepEqual(restA, restB);
}

/** Structural equality of plain JSON data; shared sub-trees (the common case) compare by identity. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
