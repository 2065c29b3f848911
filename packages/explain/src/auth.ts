import { obj, str } from './json.js';
import type { ClusterModel, HcmModel, RouteModel, VirtualHostModel } from './model.js';

type Json = Record<string, unknown>;

const extAuthzType = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
const filterConfigType = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

/** Who a filter asks: the AuthService behind its cluster (provenance), else the cluster. */
function authority(config: Json | undefined, clusters: ReadonlyMap<string, ClusterModel>): string {
  const grpc = obj(obj(obj(config?.grpc_service)?.envoy_grpc));
  const http = obj(obj(config?.http_service)?.server_uri);
  const name = str(grpc?.cluster_name) ?? str(http?.cluster) ?? '';
  const owners = (clusters.get(name)?.provenance ?? [])
    .filter((r) => r.kind === 'AuthService')
    .map((r) => `AuthService ${r.namespace ?? 'default'}/${r.name}`);
  const proto = grpc ? 'gRPC' : 'HTTP';
  return `${owners.length > 0 ? owners.join(' + ') : `cluster ${name || '?'}`} (${proto})`;
}

/**
 * What the external authorisation filters do on this route: which one asks its
 * auth service (with the context extensions it sends), or that the route
 * bypasses them. Per-filter config is the route's, else the virtual host's;
 * a FilterConfig turns a filter off or on (one `disabled` in the connection
 * manager is on only where enabled), ExtAuthzPerRoute.disabled skips the check.
 * Undefined when the connection manager has no ext_authz filter.
 */
export function authNote(
  hcm: HcmModel,
  vhost: VirtualHostModel,
  route: RouteModel,
  clusters: ReadonlyMap<string, ClusterModel>,
): string | undefined {
  const filters = hcm.httpFilters.filter((f) => str(f.config?.['@type']) === extAuthzType);
  if (filters.length === 0) return undefined;
  const checking: string[] = [];
  const bypassed: string[] = [];
  for (const filter of filters) {
    const who = authority(filter.config, clusters);
    const routeConfig = obj(route.typedPerFilterConfig?.[filter.name]);
    const hostConfig = obj(vhost.typedPerFilterConfig?.[filter.name]);
    // On or off: the most specific FilterConfig decides, else the connection manager.
    const switches = [routeConfig, hostConfig].filter((c) => str(c?.['@type']) === filterConfigType);
    const on = switches.length > 0 ? switches[0]!.disabled !== true : filter.disabled !== true;
    if (!on) {
      if (filter.disabled !== true) bypassed.push(who);
      continue;
    }
    // The filter's own per-route config: the most specific one, unwrapped from a FilterConfig.
    const specific = routeConfig ?? hostConfig;
    const perRoute = str(specific?.['@type']) === filterConfigType ? obj(specific?.config) : specific;
    if (perRoute?.disabled === true) {
      bypassed.push(who);
      continue;
    }
    const extensions = obj(obj(perRoute?.check_settings)?.context_extensions);
    checking.push(
      extensions && Object.keys(extensions).length > 0
        ? `${who} with context extensions ${JSON.stringify(Object.fromEntries(Object.entries(extensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))}`
        : who,
    );
  }
  if (checking.length > 0) return `auth: checked by ${checking.join(', then ')}`;
  return bypassed.length > 0
    ? `auth: bypassed (${bypassed.join(', ')} not asked)`
    : 'auth: no AuthService checks this route';
}
