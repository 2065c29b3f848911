import {
  compareStrings,
  type HttpBuiltinRoute,
  type HttpHostView,
  type HttpListenerView,
  HttpModelExt,
  type HttpRouteSource,
  type IRListener,
  type IRRoute,
  type PassContext,
  resourceKey,
  writeExt,
} from '@attache/core';
import type { HttpHost, HttpListener, HttpMapping, HttpModule } from '../model.js';
import { freshRouteSource } from '../route-source.js';
import { sameObjects } from '../same-objects.js';

/**
 * Publishes the HTTP model for feature plugins (core's `HttpModelExt`): which
 * Mapping became which routes, which Host each virtual host serves, which
 * Listener each route configuration belongs to, and the built-in probe routes.
 * Feature plugins read it in `attach`, before finalize shares route tables.
 */
export function publishHttpModel(
  ctx: PassContext,
  mappings: readonly HttpMapping[],
  hosts: readonly HttpHost[],
  listeners: readonly HttpListener[],
  module: HttpModule,
  probes: readonly IRRoute[],
  kept?: KeptHttpModel,
  renamed?: ReadonlySet<HttpMapping>,
): void {
  const builtinRoutes: Record<string, HttpBuiltinRoute> = {};
  for (const probe of probes) {
    builtinRoutes[probe.name] = { role: 'probe', ...(module.ref ? { ref: module.ref } : {}) };
  }
  // Under an incremental compiler: the last views again while made of the same objects (they are read, never edited).
  let virtualHosts =
    kept?.hosts !== undefined && sameObjects(kept.hosts, hosts) ? kept.virtualHosts : undefined;
  if (virtualHosts === undefined) {
    virtualHosts = {};
    for (const host of hosts) {
      virtualHosts[host.id] = {
        ref: host.ref,
        hostname: host.hostname,
        ...(host.synthesized ? { synthesized: true } : {}),
      };
    }
    if (kept) {
      kept.hosts = hosts.slice();
      kept.virtualHosts = virtualHosts;
    }
  }
  const built = listeners.map((l) => ctx.ir.listeners[l.id]);
  const sameListeners =
    kept?.listeners !== undefined &&
    kept.built !== undefined &&
    sameObjects(kept.built, built) &&
    kept.listeners.length === listeners.length &&
    kept.listeners.every(
      (l, i) =>
        l.ref === listeners[i]!.ref &&
        l.port === listeners[i]!.port &&
        l.securityModel === listeners[i]!.securityModel,
    );
  let routeConfigs = sameListeners ? kept.routeConfigs : undefined;
  if (routeConfigs === undefined) {
    routeConfigs = {};
    for (const listener of listeners) {
      const built = ctx.ir.listeners[listener.id];
      if (!built) continue;
      for (const chain of built.filterChains) {
        if (chain.kind !== 'http') continue;
        routeConfigs[chain.routeConfigName] = {
          ref: listener.ref,
          port: listener.port,
          securityModel: listener.securityModel,
          tls: chain.tls !== undefined,
        };
      }
    }
    if (kept) {
      kept.listeners = listeners.map((l) => ({ ref: l.ref, port: l.port, securityModel: l.securityModel }));
      kept.built = built;
      kept.routeConfigs = routeConfigs;
    }
  }
  writeExt(ctx.ir, HttpModelExt, {
    // Under an incremental compiler, an unchanged Mapping's route source is the last one. A plain
    // compile's Mappings are their route sources themselves: ingest's HttpMappings have each field
    // of one, under the same name, and the JSON of one (ingest/mappings.ts, IngestedMapping); they
    // are this compile's objects, and their route names are not replaced after this.
    routeSources: kept ? keptRouteSources(kept, mappings, renamed) : mappings,
    builtinRoutes,
    virtualHosts,
    routeConfigs,
    ...(module.ref ? { module: { ref: module.ref, config: module.config as Record<string, unknown> } } : {}),
  });
}

/** The views of the last compile, with what they were made of. */
export interface KeptHttpModel {
  hosts?: readonly HttpHost[];
  virtualHosts?: Record<string, HttpHostView>;
  listeners?: ReadonlyArray<Pick<HttpListener, 'ref' | 'port' | 'securityModel'>>;
  built?: ReadonlyArray<IRListener | undefined>;
  routeConfigs?: Record<string, HttpListenerView>;
  mappings?: readonly HttpMapping[];
  routeSources?: readonly HttpRouteSource[];
}

/**
 * The Mappings' route sources: where the Mapping list has the last compile's objects at its
 * head and tail (the same positions), the last sources while their route names and labels are
 * the same lists; in the changed middle, routeSourceOf. With `renamed` (the only Mappings whose
 * route names may be other lists than when `kept` was published: an HttpMapping keeps its labels),
 * the head and tail are compared by identity alone and only the renamed ones are looked at.
 */
export function keptRouteSources(
  kept: KeptHttpModel,
  mappings: readonly HttpMapping[],
  renamed?: ReadonlySet<HttpMapping>,
): HttpRouteSource[] {
  const sources =
    renamed !== undefined && renamed.size <= 256 ? patchedRouteSources(kept, mappings, renamed) : undefined;
  return sources ?? scannedRouteSources(kept, mappings);
}

/** keptRouteSources with `renamed`; undefined when a renamed Mapping is not found by binary search. */
function patchedRouteSources(
  kept: KeptHttpModel,
  mappings: readonly HttpMapping[],
  renamed: ReadonlySet<HttpMapping>,
): HttpRouteSource[] | undefined {
  const lastMappings = kept.mappings ?? [];
  const lastSources = kept.routeSources ?? [];
  const sources = new Array<HttpRouteSource>(mappings.length);
  const shorter = Math.min(lastMappings.length, mappings.length);
  let start = 0;
  for (; start < shorter && lastMappings[start] === mappings[start]; start++)
    sources[start] = lastSources[start]!;
  let end = mappings.length;
  for (let tail = 1; tail <= shorter && end > start; tail++) {
    if (lastMappings[lastMappings.length - tail] !== mappings[mappings.length - tail]) break;
    end = mappings.length - tail;
    sources[end] = lastSources[lastSources.length - tail]!;
  }
  for (let i = start; i < end; i++) sources[i] = routeSourceOf(mappings[i]!);
  for (const m of renamed) {
    // Admitted inputs are sorted by resource key, each key once.
    const at = positionOf(mappings, m);
    if (at < 0) return undefined;
    const source = sources[at]!;
    if (source.routeNames !== m.routeNames || source.labels !== m.labels) sources[at] = routeSourceOf(m);
  }
  kept.mappings = mappings.slice();
  kept.routeSources = sources;
  return sources;
}

/** The index of `m` in `mappings` (sorted by resource key), or -1. */
function positionOf(mappings: readonly HttpMapping[], m: HttpMapping): number {
  const key = resourceKey(m.ref);
  let lo = 0;
  let hi = mappings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStrings(resourceKey(mappings[mid]!.ref), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return mappings[lo] === m ? lo : -1;
}

/** keptRouteSources without `renamed`: every kept source checked. */
function scannedRouteSources(kept: KeptHttpModel, mappings: readonly HttpMapping[]): HttpRouteSource[] {
  const lastMappings = kept.mappings ?? [];
  const lastSources = kept.routeSources ?? [];
  const sources = new Array<HttpRouteSource>(mappings.length);
  const shorter = Math.min(lastMappings.length, mappings.length);
  const valid = (source: HttpRouteSource | undefined, m: HttpMapping) =>
    source !== undefined && source.routeNames === m.routeNames && source.labels === m.labels;
  let start = 0;
  for (; start < shorter; start++) {
    const m = mappings[start]!;
    const source = lastSources[start];
    if (lastMappings[start] !== m || !valid(source, m)) break;
    sources[start] = source!;
  }
  let end = mappings.length;
  for (let tail = 1; tail <= shorter && end > start; tail++) {
    const m = mappings[mappings.length - tail]!;
    const source = lastSources[lastSources.length - tail];
    if (lastMappings[lastMappings.length - tail] !== m || !valid(source, m)) break;
    end = mappings.length - tail;
    sources[end] = source!;
  }
  for (let i = start; i < end; i++) sources[i] = routeSourceOf(mappings[i]!);
  kept.mappings = mappings.slice();
  kept.routeSources = sources;
  return sources;
}

/**
 * A Mapping's route source: the last one made for the same HttpMapping object while its route
 * names are the same list (an incremental compiler keeps both for an unchanged Mapping); route
 * sources are read, never edited.
 */
const routeSources = new WeakMap<HttpMapping, HttpRouteSource>();
function routeSourceOf(m: HttpMapping): HttpRouteSource {
  const known = routeSources.get(m);
  if (known !== undefined && known.routeNames === m.routeNames && known.labels === m.labels) return known;
  const source = freshRouteSource(m);
  routeSources.set(m, source);
  return source;
}
