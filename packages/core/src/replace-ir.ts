import type {
  IR,
  IRFilterChain,
  IRHttpConnectionManager,
  IRHttpFilter,
  IRHttpFilterChain,
  IRListener,
  IRRoute,
  IRRouteConfig,
  IRVirtualHost,
} from './ir.js';

/** Where a route sits: its route configuration and virtual host (read-only). */
export interface RouteSite {
  readonly routeConfig: IRRouteConfig;
  readonly virtualHost: IRVirtualHost;
}

export interface ReplaceRoutesOptions {
  /**
   * What the replacement depends on besides the route itself, as a string
   * (e.g. the AuthService chosen for the virtual host's Host). Routes shared
   * between sites with the same context stay shared; default: nothing, so a
   * shared route is replaced once, by one new shared object.
   */
  contextOf?: (site: RouteSite) => string;
}

/**
 * Replaces routes copy-on-write, keeping the IR's sharing intact: `replace`
 * returns the same route (unchanged) or a new one, and is asked once per
 * distinct (route object, context). Route lists, virtual hosts and route
 * configurations that hold a replaced route are replaced by copies; the rest
 * stay the same objects. Never edit `route` itself: it may be served by other
 * virtual hosts and listeners (see docs/architecture.md).
 */
export function replaceRoutes(
  ir: IR,
  replace: (route: IRRoute, site: RouteSite) => IRRoute,
  options: ReplaceRoutesOptions = {},
): void {
  const contextOf = options.contextOf;
  // One memo per context (a few at most), each keyed by object: no Map per route.
  const memos = new Map<string, RouteMemo>();
  const configMemo = new Map<IRRouteConfig, IRRouteConfig>();
  for (const name of Object.keys(ir.routeConfigs)) {
    const config = ir.routeConfigs[name]!;
    const knownConfig = configMemo.get(config);
    if (knownConfig) {
      ir.routeConfigs[name] = knownConfig;
      continue;
    }
    let hosts: IRVirtualHost[] | undefined;
    const virtualHosts = config.virtualHosts;
    for (let i = 0; i < virtualHosts.length; i++) {
      const vh = virtualHosts[i]!;
      const site: RouteSite = { routeConfig: config, virtualHost: vh };
      const context = contextOf ? contextOf(site) : '';
      let memo = memos.get(context);
      if (!memo) {
        memo = { routes: new Map(), lists: new Map(), hosts: new Map() };
        memos.set(context, memo);
      }
      let next = memo.hosts.get(vh);
      if (!next) {
        const routes = replacedList(vh.routes, site, memo, replace);
        next = routes === vh.routes ? vh : { ...vh, routes };
        memo.hosts.set(vh, next);
      }
      if (next !== vh) {
        hosts ??= virtualHosts.slice();
        hosts[i] = next;
      }
    }
    const replaced = hosts ? { ...config, virtualHosts: hosts } : config;
    configMemo.set(config, replaced);
    ir.routeConfigs[name] = replaced;
  }
}

/** What replaceRoutes made in one context: each route, route list and virtual host object once. */
interface RouteMemo {
  routes: Map<IRRoute, IRRoute>;
  lists: Map<readonly IRRoute[], IRRoute[]>;
  hosts: Map<IRVirtualHost, IRVirtualHost>;
}

/** The list with each route replaced (the same list object when no route changed). */
function replacedList(
  list: IRRoute[],
  site: RouteSite,
  memo: RouteMemo,
  replace: (route: IRRoute, site: RouteSite) => IRRoute,
): IRRoute[] {
  const known = memo.lists.get(list);
  if (known) return known;
  let out: IRRoute[] | undefined;
  for (let j = 0; j < list.length; j++) {
    const route = list[j]!;
    let made = memo.routes.get(route);
    if (made === undefined) {
      made = replace(route, site);
      memo.routes.set(route, made);
    }
    if (made !== route) {
      // Copied on the first change only: most lists of a feature that touches few routes stay the same object.
      out ??= list.slice(0, j);
      out.push(made);
    } else if (out) out.push(route);
  }
  const result = out ?? list;
  memo.lists.set(list, result);
  return result;
}

/** A copy of `target` (a route or virtual host) with one more per-filter config, keyed by Envoy filter name. */
export function withTypedPerFilterConfig<T extends IRRoute | IRVirtualHost>(
  target: T,
  filterName: string,
  config: Record<string, unknown>,
): T {
  return { ...target, typedPerFilterConfig: { ...target.typedPerFilterConfig, [filterName]: config } };
}

/** Where an HTTP connection manager sits: its listener and filter chain (read-only). */
export interface HcmSite {
  readonly listener: IRListener;
  readonly chain: IRHttpFilterChain;
}

/**
 * Replaces HTTP connection managers copy-on-write (every filter chain of
 * kind 'http', the default chain included): `replace` returns the same HCM or
 * a new one; listeners and chains holding a new one are replaced by copies.
 */
export function replaceHttpConnectionManagers(
  ir: IR,
  replace: (hcm: IRHttpConnectionManager, site: HcmSite) => IRHttpConnectionManager,
  options: { contextOf?: (site: HcmSite) => string } = {},
): void {
  const contextOf = options.contextOf ?? (() => '');
  // Chains of one listener often share one HCM object: keep them sharing its replacement.
  const memo = new Map<IRHttpConnectionManager, Map<string, IRHttpConnectionManager>>();
  for (const name of Object.keys(ir.listeners)) {
    const listener = ir.listeners[name]!;
    const swap = (chain: IRFilterChain): IRFilterChain => {
      if (chain.kind !== 'http') return chain;
      const site: HcmSite = { listener, chain };
      const context = contextOf(site);
      let byContext = memo.get(chain.http);
      let http = byContext?.get(context);
      if (!http) {
        http = replace(chain.http, site);
        if (!byContext) {
          byContext = new Map();
          memo.set(chain.http, byContext);
        }
        byContext.set(context, http);
      }
      return http === chain.http ? chain : { ...chain, http };
    };
    const chains = listener.filterChains.map(swap);
    const fallback = listener.defaultFilterChain ? swap(listener.defaultFilterChain) : undefined;
    const changed =
      chains.some((c, i) => c !== listener.filterChains[i]) || fallback !== listener.defaultFilterChain;
    if (!changed) continue;
    const next: IRListener = { ...listener, filterChains: chains };
    if (fallback) next.defaultFilterChain = fallback;
    ir.listeners[name] = next;
  }
}

/**
 * Adds an HTTP filter to every HTTP connection manager that `where` accepts
 * (default: all). The filter's `slot` places it (see @attache/envoy's slot table).
 */
export function addHttpFilter(ir: IR, filter: IRHttpFilter): void {
  replaceHttpConnectionManagers(ir, (hcm) => ({ ...hcm, filters: [...hcm.filters, filter] }));
}

/**
 * Replaces virtual hosts copy-on-write: `replace` returns the same virtual
 * host or a new one (keep its `routes` list object when the routes do not
 * change: it is shared); route configurations holding a new one are copied.
 */
export function replaceVirtualHosts(
  ir: IR,
  replace: (virtualHost: IRVirtualHost, routeConfig: IRRouteConfig) => IRVirtualHost,
): void {
  const memo = new Map<IRRouteConfig, IRRouteConfig>();
  for (const name of Object.keys(ir.routeConfigs)) {
    const config = ir.routeConfigs[name]!;
    let next = memo.get(config);
    if (!next) {
      const hosts = config.virtualHosts.map((vh) => replace(vh, config));
      next = hosts.some((vh, i) => vh !== config.virtualHosts[i])
        ? { ...config, virtualHosts: hosts }
        : config;
      memo.set(config, next);
    }
    ir.routeConfigs[name] = next;
  }
}
