import {
  compareStrings,
  type IRRoute,
  type IRRouteConfig,
  type IRVirtualHost,
  lazyField,
  type ResourceRef,
  TypeUrl,
} from '@attache/core';
import { notePartsDelta } from '../kept-provenance.js';
import {
  keptSorted,
  type LoweringMemo,
  provenanceText,
  sameListAsBefore,
  sortedChange,
  virtualHostKey,
} from '../lowering-memo.js';
import {
  defined,
  type Json,
  type LoweredResource,
  type ResourcePart,
  sortedStrings,
  typeUrl,
} from './common.js';
import { lowerRoute, type RegexLimits, typedPerFilterConfig } from './route.js';
import { RoutePart } from './route-part.js';

/** Lowers a virtual host's IR route list to Envoy routes. */
export type RouteListLowering = (routes: readonly IRRoute[]) => Json[];

/**
 * A route list lowering for one lowerIR call that lowers each IR route (and
 * each route list) once: the http plugin shares route objects and whole lists
 * between virtual hosts and route configs (cleartext and per-Host TLS), and a
 * lowered route depends on its IR route alone. The shared JSON is never
 * mutated afterwards (admission prunes a copy).
 */
export function memoizedRouteLowering(limits: RegexLimits = {}, kept?: LoweringMemo): RouteListLowering {
  // Maps, not WeakMaps: they die with the lowering, and Map lookups cost much less.
  // With `kept` (an incremental compiler's memo), routes and lists outlive the lowering.
  const byRoute = kept?.routes ?? new Map<IRRoute, Json>();
  const byList = new Map<readonly IRRoute[], Json[]>();
  const one = (route: IRRoute): Json => {
    let json = byRoute.get(route);
    if (json === undefined) {
      json = lowerRoute(route, limits);
      byRoute.set(route, json);
    }
    return json;
  };
  // With `kept`, an IR route list kept from the last compile (never mutated) is found by identity.
  const lists = kept?.irLists ?? byList;
  return (routes) => {
    let list = lists.get(routes);
    if (list === undefined) {
      list = routes.map(one);
      if (kept) list = sameListAsBefore(kept, list);
      lists.set(routes, list);
    }
    return list;
  };
}

const lowerEachRoute: RouteListLowering = (routes) => routes.map((route) => lowerRoute(route));

/**
 * IR route config → RouteConfiguration. Virtual hosts are sorted by name
 * (Envoy selects them by domain, not position); routes keep their IR order,
 * because Envoy takes the first route that matches. Each route is a part of
 * its own, so one invalid route is dropped and blamed without the others.
 */
export function lowerRouteConfig(
  config: IRRouteConfig,
  lowerRoutes: RouteListLowering = lowerEachRoute,
  limits: RegexLimits = {},
): LoweredResource {
  const sorted = sortVirtualHosts([...config.virtualHosts]);
  const virtualHosts = sorted.map((vh) => lowerVirtualHost(vh, lowerRoutes(vh.routes), limits));
  const lowered = routeConfigResource(config, virtualHosts, []);
  // The parts (one per route of every virtual host: tens of thousands) are made when first read:
  // only a rejection, a route to a refused cluster or the resource's provenance reads them, and
  // a compile of valid resources that prints them does neither. The IR is never mutated.
  lazyField(lowered, 'parts', () => {
    const parts: ResourcePart[] = [];
    for (let v = 0; v < sorted.length; v++) pushVirtualHostParts(parts, sorted[v]!, v);
    return parts;
  });
  return lowered;
}

function sortVirtualHosts(virtualHosts: IRVirtualHost[]): IRVirtualHost[] {
  return virtualHosts.sort((a, b) => compareStrings(a.name, b.name));
}

function routeConfigResource(
  config: IRRouteConfig,
  virtualHosts: Json[],
  parts: ResourcePart[],
  provenance: ResourceRef[] = config.provenance,
): LoweredResource {
  return {
    typeUrl: TypeUrl.RouteConfiguration,
    name: config.name,
    // Keys in code-unit order (the order the printer's canonical JSON wants).
    resource: defined({
      '@type': typeUrl('envoy.config.route.v3.RouteConfiguration'),
      name: config.name,
      validate_clusters: config.validateClusters,
      virtual_hosts: virtualHosts,
    }),
    provenance,
    parts,
  };
}

/**
 * lowerRouteConfig under an incremental compiler's memo, for an IR route configuration that is
 * not the object lowered last compile: compared with what the configuration of the same name
 * was made of then. A virtual host that is the same IR object at the same position (after
 * sorting) is its lowered JSON and parts of then, without a lookup; another is looked up by
 * what it is made of (keptVirtualHost). When every virtual host, the provenance and
 * validate_clusters are the same, it is the lowered configuration of then (so its admission
 * is reused too). Work per unchanged virtual host: an identity comparison.
 */
export function keptRouteConfig(
  kept: LoweringMemo,
  config: IRRouteConfig,
  lowerRoutes: RouteListLowering,
  limits: RegexLimits,
): LoweredResource {
  const last = kept.lastRouteConfigs.get(config.name);
  const slot = `routeConfig ${config.name}`;
  const sorted = keptSorted(kept, slot, config.virtualHosts, sortVirtualHosts);
  /** Whether positions line up with the last lowering (then `changed` lists the virtual hosts that differ). */
  const aligned = last !== undefined && last.sorted.length === sorted.length;
  const changed: number[] = [];
  // The positions keptSorted found new objects at (the others are the last objects): only those
  // are looked at, and the flat parts are the last ones with theirs replaced.
  const moved = aligned ? sortedChange(kept, slot) : undefined;
  let virtualHosts: Json[];
  let vhParts: ResourcePart[][];
  let parts: ResourcePart[] | undefined;
  if (aligned && moved !== undefined) {
    virtualHosts = last.virtualHosts.slice();
    vhParts = last.parts.slice();
    for (const v of moved) {
      const entry = keptVirtualHost(kept, sorted[v]!, v, lowerRoutes, limits);
      virtualHosts[v] = entry.json;
      vhParts[v] = entry.parts;
      if (entry.json !== last.virtualHosts[v] || entry.parts !== last.parts[v]) changed.push(v);
    }
    if (changed.length > 0) parts = patchedParts(last.lowered.parts, last.parts, vhParts, changed);
  } else {
    virtualHosts = new Array(sorted.length);
    vhParts = new Array(sorted.length);
    let count = 0;
    for (let v = 0; v < sorted.length; v++) {
      const vh = sorted[v]!;
      if (aligned && last.sorted[v] === vh) {
        virtualHosts[v] = last.virtualHosts[v]!;
        vhParts[v] = last.parts[v]!;
      } else {
        const entry = keptVirtualHost(kept, vh, v, lowerRoutes, limits);
        virtualHosts[v] = entry.json;
        vhParts[v] = entry.parts;
        if (aligned && (entry.json !== last.virtualHosts[v] || entry.parts !== last.parts[v]))
          changed.push(v);
      }
      count += vhParts[v]!.length;
    }
    parts = new Array(count);
    let at = 0;
    for (const own of vhParts) for (const part of own) parts[at++] = part;
  }
  // The same provenance as last time is the last object (so a kept provenance union can patch).
  const provenance =
    last !== undefined && sameProvenance(last.lowered.provenance, config.provenance)
      ? last.lowered.provenance
      : config.provenance;
  if (
    aligned &&
    changed.length === 0 &&
    provenance === last.lowered.provenance &&
    last.config.validateClusters === config.validateClusters
  ) {
    // The same lowered configuration: remember this compile's IR objects for the next comparison.
    kept.lastRouteConfigs.set(config.name, { ...last, config, sorted });
    return last.lowered;
  }
  // (Unchanged virtual hosts with another provenance or validate_clusters: the last parts.)
  parts ??= last!.lowered.parts.slice();
  const lowered = routeConfigResource(config, virtualHosts, parts, provenance);
  if (aligned) {
    notePartsDelta(
      parts,
      last.lowered.parts,
      changed.map((v) => last.parts[v]!),
      changed.map((v) => vhParts[v]!),
    );
  }
  kept.lastRouteConfigs.set(config.name, { config, sorted, virtualHosts, parts: vhParts, lowered });
  return lowered;
}

/**
 * The flat parts of a route configuration whose virtual hosts at `changed` (ascending) have new
 * parts: the last flat parts with each changed virtual host's run replaced when every run keeps
 * its length, else all runs joined again (one pass, however many changed).
 */
function patchedParts(
  lastFlat: readonly ResourcePart[],
  lastParts: readonly ResourcePart[][],
  vhParts: readonly ResourcePart[][],
  changed: readonly number[],
): ResourcePart[] {
  if (changed.some((v) => vhParts[v]!.length !== lastParts[v]!.length)) {
    let count = 0;
    for (const own of vhParts) count += own.length;
    const parts: ResourcePart[] = new Array(count);
    let at = 0;
    for (const own of vhParts) for (const part of own) parts[at++] = part;
    return parts;
  }
  const parts = lastFlat.slice();
  let offset = 0;
  let c = 0;
  for (let v = 0; v < lastParts.length && c < changed.length; v++) {
    if (v === changed[c]) {
      const own = vhParts[v]!;
      for (let k = 0; k < own.length; k++) parts[offset + k] = own[k]!;
      c++;
    }
    offset += lastParts[v]!.length;
  }
  return parts;
}

function sameProvenance(a: readonly ResourceRef[], b: readonly ResourceRef[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i === a.length || provenanceText(a) === provenanceText(b);
}

/** A virtual host's JSON, its route list already lowered. */
function lowerVirtualHost(vh: IRVirtualHost, routes: Json[], limits: RegexLimits): Json {
  // Keys in code-unit order (the order the printer's canonical JSON wants).
  return defined({
    domains: sortedStrings(vh.domains),
    name: vh.name,
    require_tls: vh.requireTls,
    routes,
    typed_per_filter_config: typedPerFilterConfig(vh.typedPerFilterConfig, vh.cors, limits),
  });
}

/** The parts of the virtual host at position `v`: itself (not droppable), then each route. */
function pushVirtualHostParts(out: ResourcePart[], vh: IRVirtualHost, v: number): void {
  out.push({
    pointer: `/virtual_hosts/${v}`,
    label: `virtual host '${vh.name}'`,
    provenance: vh.provenance,
    droppable: false,
  });
  const routes = vh.routes;
  for (let r = 0; r < routes.length; r++) out.push(new RoutePart(v, r, routes));
}

/**
 * One virtual host under an incremental compiler's memo: the same lowered route list and
 * fields give the same lowered JSON object (so validation and hashing reuse theirs) and,
 * at the same position, the same parts.
 */
function keptVirtualHost(
  kept: LoweringMemo,
  vh: IRVirtualHost,
  v: number,
  lowerRoutes: RouteListLowering,
  limits: RegexLimits,
): { json: Json; parts: ResourcePart[] } {
  const routes = lowerRoutes(vh.routes);
  const key = virtualHostKey(kept, vh, routes);
  let entry = kept.virtualHosts.get(key);
  if (entry === undefined) {
    entry = {
      json: lowerVirtualHost(vh, routes, limits),
      parts: new Map(),
    };
    kept.virtualHosts.set(key, entry);
  }
  let own = entry.parts.get(v);
  if (own === undefined) {
    own = [];
    pushVirtualHostParts(own, vh, v);
    entry.parts.set(v, own);
  }
  return { json: entry.json, parts: own };
}
