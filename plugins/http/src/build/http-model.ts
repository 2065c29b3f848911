import {
  type HttpBuiltinRoute,
  type HttpHostView,
  type HttpListenerView,
  HttpModelExt,
  type HttpRouteSource,
  type IRRoute,
  type PassContext,
  writeExt,
} from '@attache/core';
import type { HttpHost, HttpListener, HttpMapping, HttpModule } from '../model.js';

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
): void {
  const builtinRoutes: Record<string, HttpBuiltinRoute> = {};
  for (const probe of probes) {
    builtinRoutes[probe.name] = { role: 'probe', ...(module.ref ? { ref: module.ref } : {}) };
  }
  const virtualHosts: Record<string, HttpHostView> = {};
  for (const host of hosts) {
    virtualHosts[host.id] = {
      ref: host.ref,
      hostname: host.hostname,
      ...(host.synthesized ? { synthesized: true } : {}),
    };
  }
  const routeConfigs: Record<string, HttpListenerView> = {};
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
  writeExt(ctx.ir, HttpModelExt, {
    // Under an incremental compiler, an unchanged Mapping's route source is the last one.
    routeSources: mappings.map(ctx.memo ? routeSourceOf : freshRouteSource),
    builtinRoutes,
    virtualHosts,
    routeConfigs,
    ...(module.ref ? { module: { ref: module.ref, config: module.config as Record<string, unknown> } } : {}),
  });
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

function freshRouteSource(m: HttpMapping): HttpRouteSource {
  return {
    ref: m.ref,
    namespace: m.namespace,
    spec: m.spec as Readonly<Record<string, unknown>>,
    labels: m.labels,
    routeNames: m.routeNames,
  };
}
