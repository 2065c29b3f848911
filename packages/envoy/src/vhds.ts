/**
 * The VHDS form of a route configuration (Virtual Host Discovery over delta
 * xDS): the RouteConfiguration keeps everything but its virtual hosts and says
 * where they come from (`vhds` over ADS); each virtual host becomes a resource
 * of its own, so a change to one Host's routes moves one VirtualHost, not the
 * whole table. With on-demand updates, the HTTP connection managers that use
 * such a table also get Envoy's on-demand filter, which asks for the virtual
 * host of a request's authority when the table has none for it.
 *
 * Lowering never produces this form: a sink that serves delta xDS derives it
 * from the lowered resources (plugins/sink-ads, option `vhds`).
 */

import type { ResourceRef } from '@attache/core';
import type { Json } from './lower/index.js';

export const virtualHostTypeUrl = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
export const onDemandFilterName = 'envoy.filters.http.on_demand';
const onDemandTypeUrl = 'type.googleapis.com/envoy.extensions.filters.http.on_demand.v3.OnDemand';
const routerFilterName = 'envoy.filters.http.router';
const hcmTypeUrl =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/**
 * The resource name of a virtual host served over VHDS: `<route configuration>/<virtual host>`.
 * Envoy finds the route configuration of a name by its last '/', so a '/' in the
 * virtual host's own name (Attaché names them `namespace/name`) is escaped as `%2F`
 * (and '%' as `%25`, so that names stay distinct).
 */
export function vhdsResourceName(routeConfigName: string, virtualHostName: string): string {
  return `${routeConfigName}/${virtualHostName.replaceAll('%', '%25').replaceAll('/', '%2F')}`;
}

/** The route configuration a VHDS resource name (or on-demand alias) belongs to: all before its last '/'. */
export function vhdsNamespaceOf(resourceName: string): string | undefined {
  const slash = resourceName.lastIndexOf('/');
  return slash < 0 ? undefined : resourceName.slice(0, slash);
}

export interface VhdsRouteConfiguration {
  /** The RouteConfiguration without virtual hosts, with `vhds` over ADS. */
  routeConfiguration: Json;
  /**
   * Its virtual hosts as VirtualHost resources (proto3 JSON with '@type'), each
   * named by `vhdsResourceName`: Envoy keys the virtual hosts it holds by their
   * `name` and removes them by resource name, so the two must be the same.
   */
  virtualHosts: Json[];
}

/**
 * The route that ends every virtual host served with on-demand updates: Envoy's
 * answer when no route matches (404, no body), given by a route. Without it, the
 * on-demand filter takes a request no route of its virtual host matches for a
 * missing virtual host, asks the control plane for it, and on the answer starts
 * the request over, forever (seen on Envoy 1.39.3).
 */
export const noRouteFallback: Json = Object.freeze({
  name: 'vhds-no-route',
  match: { prefix: '/' },
  direct_response: { status: 404 },
}) as Json;

export interface VhdsOptions {
  /** The connection managers run Envoy's on-demand filter: every virtual host ends with `noRouteFallback`. */
  onDemand?: boolean;
}

/** A lowered RouteConfiguration (proto3 JSON with '@type') in VHDS form. */
export function vhdsRouteConfiguration(
  routeConfiguration: Json,
  options: VhdsOptions = {},
): VhdsRouteConfiguration {
  const { virtual_hosts: virtualHosts, vhds: _vhds, ...rest } = routeConfiguration;
  const name = String(rest.name ?? '');
  return {
    routeConfiguration: { ...rest, vhds: { config_source: { ads: {}, resource_api_version: 'V3' } } },
    virtualHosts: ((virtualHosts as Json[] | undefined) ?? []).map((virtualHost) => ({
      '@type': virtualHostTypeUrl,
      ...virtualHost,
      name: vhdsResourceName(name, String(virtualHost.name ?? '')),
      ...(options.onDemand
        ? { routes: [...((virtualHost.routes as Json[] | undefined) ?? []), noRouteFallback] }
        : {}),
    })),
  };
}

/**
 * A Listener whose HTTP connection managers that take one of `routeConfigNames`
 * over RDS run Envoy's on-demand filter just before the router (the filter asks
 * VHDS for a missing virtual host and resumes the request once it arrived). The
 * same object when no connection manager uses those tables.
 */
export function withOnDemandFilter(listener: Json, routeConfigNames: ReadonlySet<string>): Json {
  let changed = false;
  const chain = (filterChain: Json): Json => {
    const filters = filterChain.filters as Json[] | undefined;
    if (!filters) return filterChain;
    let chainChanged = false;
    const next = filters.map((filter) => {
      const config = filter.typed_config as Json | undefined;
      if (config?.['@type'] !== hcmTypeUrl) return filter;
      const rds = config.rds as Json | undefined;
      if (!rds || !routeConfigNames.has(String(rds.route_config_name ?? ''))) return filter;
      const httpFilters = (config.http_filters as Json[] | undefined) ?? [];
      if (httpFilters.some((f) => f.name === onDemandFilterName)) return filter;
      const router = httpFilters.findIndex((f) => f.name === routerFilterName);
      const at = router < 0 ? httpFilters.length : router;
      chainChanged = true;
      return {
        ...filter,
        typed_config: {
          ...config,
          http_filters: [
            ...httpFilters.slice(0, at),
            { name: onDemandFilterName, typed_config: { '@type': onDemandTypeUrl } },
            ...httpFilters.slice(at),
          ],
        },
      };
    });
    if (!chainChanged) return filterChain;
    changed = true;
    return { ...filterChain, filters: next };
  };
  const filterChains = (listener.filter_chains as Json[] | undefined)?.map(chain);
  const defaultChain = listener.default_filter_chain
    ? chain(listener.default_filter_chain as Json)
    : undefined;
  if (!changed) return listener;
  return {
    ...listener,
    ...(filterChains ? { filter_chains: filterChains } : {}),
    ...(defaultChain ? { default_filter_chain: defaultChain } : {}),
  };
}

/**
 * The virtual host Envoy would pick for an authority, among `domains` lists in
 * any order: an exact domain first, then the longest suffix wildcard
 * (`*.example.com`), then the longest prefix wildcard (`example.*`), then `*`.
 * Case-insensitive; a wildcard matches at least one character; the port is part
 * of the authority, as in Envoy without port stripping. Returns the index.
 */
export function matchVirtualHost(domainLists: readonly (readonly string[])[], authority: string): number {
  const host = authority.toLowerCase();
  let suffix = { index: -1, length: -1 };
  let prefix = { index: -1, length: -1 };
  let any = -1;
  for (let index = 0; index < domainLists.length; index++) {
    for (const raw of domainLists[index] ?? []) {
      const domain = raw.toLowerCase();
      if (domain === '*') {
        if (any < 0) any = index;
      } else if (domain.startsWith('*')) {
        const tail = domain.slice(1);
        if (host.length > tail.length && host.endsWith(tail) && tail.length > suffix.length)
          suffix = { index, length: tail.length };
      } else if (domain.endsWith('*')) {
        const head = domain.slice(0, -1);
        if (host.length > head.length && host.startsWith(head) && head.length > prefix.length)
          prefix = { index, length: head.length };
      } else if (domain === host) {
        return index;
      }
    }
  }
  if (suffix.index >= 0) return suffix.index;
  if (prefix.index >= 0) return prefix.index;
  return any;
}

/**
 * The input resources behind one virtual host of a lowered route configuration,
 * out of the table's own provenance (the union over the table: its Listener, its
 * Hosts, the Mappings of its routes): the Host the virtual host is named after
 * and whatever a route of it is named after (a Mapping's route carries the
 * Mapping's `namespace/name`). The table's whole provenance when none of it is
 * named so (a virtual host made by another plugin): too wide, never empty-handed.
 */
export function virtualHostProvenance(
  tableProvenance: readonly ResourceRef[],
  virtualHost: Json,
): ResourceRef[] {
  return virtualHostProvenanceOf(tableProvenance)(virtualHost);
}

/**
 * `virtualHostProvenance` for every virtual host of one table: the table's refs
 * are indexed once by `namespace/name` (Hosts apart from the rest; Listeners
 * never count), so each virtual host costs its routes, not the table's refs
 * (100 virtual hosts of a 10,000-Mapping table walked the 10,100 refs each,
 * building an id string per ref: 1 million strings).
 */
export function virtualHostProvenanceOf(
  tableProvenance: readonly ResourceRef[],
): (virtualHost: Json) => ResourceRef[] {
  const hosts = new Map<string, number[]>();
  const named = new Map<string, number[]>();
  tableProvenance.forEach((ref, index) => {
    if (ref.kind === 'Listener') return;
    const id = `${ref.namespace ?? 'default'}/${ref.name}`;
    const byId = ref.kind === 'Host' ? hosts : named;
    const list = byId.get(id);
    if (list) list.push(index);
    else byId.set(id, [index]);
  });
  return (virtualHost) => {
    const indices = [...(hosts.get(String(virtualHost.name ?? '')) ?? [])];
    const seen = new Set<string>();
    for (const route of (virtualHost.routes as Json[] | undefined) ?? []) {
      const name = route.name;
      if (typeof name !== 'string' || seen.has(name)) continue;
      seen.add(name);
      const refs = named.get(name);
      if (refs) for (const index of refs) indices.push(index);
    }
    if (indices.length === 0) return [...tableProvenance];
    // In the table's order, as a walk over it would find them.
    indices.sort((a, b) => a - b);
    return indices.map((index) => tableProvenance[index] as ResourceRef);
  };
}
