import type { ResourceRef } from '@attache/core';
import { describeTarget } from './build-model.js';
import type { Json, JsonObject } from './json.js';
import { arr, durationMs, num, obj, str, unwrap } from './json.js';
import type {
  ClusterModel,
  EnvoyModel,
  HeaderAddition,
  HeaderOps,
  RouteConfigModel,
  RouteModel,
  VirtualHostModel,
} from './model.js';
import { fractionValue, normaliseFraction } from './normalise-route.js';
import { portOf, stripPort } from './select-virtual-host.js';
import { compileRegex } from './string-match.js';

export type HeaderLevel = 'weighted cluster' | 'route' | 'virtual host' | 'route config';

export interface UpstreamCluster {
  name: string;
  /** Share of this outcome's requests that go to this cluster (weighted clusters). */
  share: number;
  /** Human description of where it goes: 'STRICT_DNS quote:80', 'EDS service default/quote'. */
  target: string;
  cluster?: ClusterModel;
}

export interface ForwardAction {
  kind: 'forward';
  clusters: UpstreamCluster[];
  /** Path (with query) as the upstream receives it. */
  path: string;
  /** How the path was rewritten, when it was. */
  pathRewrite?: string;
  /** :authority as the upstream receives it. */
  authority: string;
  hostRewrite?: string;
  /** Route timeout; Envoy's default is 15 s, 0 disables it. */
  timeoutMs: number;
  idleTimeoutMs?: number;
  retryPolicy?: JsonObject;
  requestHeadersToAdd: Array<HeaderAddition & { level: HeaderLevel }>;
  requestHeadersToRemove: string[];
  responseHeadersToAdd: Array<HeaderAddition & { level: HeaderLevel }>;
  responseHeadersToRemove: string[];
  cors?: JsonObject;
  mirrors: Array<{ cluster: string; target: string; fraction: number }>;
  hashPolicy: Json[];
  upgrades: string[];
  /** The other RouteAction fields, for comparisons (names removed). */
  other: JsonObject;
}

export interface RedirectAction {
  kind: 'redirect';
  status: number;
  location: string;
}

export interface DirectResponseAction {
  kind: 'direct_response';
  status: number;
  body?: string;
}

export interface NoRouteAction {
  kind: 'no_route';
  status: 404;
}

export type RouteOutcomeAction = ForwardAction | RedirectAction | DirectResponseAction | NoRouteAction;

/** The request as the router sees it, after the connection manager. */
export interface RoutedRequest {
  scheme: string;
  authority: string;
  path: string;
  query?: string;
  forwardedProto: string;
}

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export function routeAction(
  model: EnvoyModel,
  rc: RouteConfigModel,
  vhost: VirtualHostModel,
  route: RouteModel,
  req: RoutedRequest,
): RouteOutcomeAction {
  if (route.redirect) return redirectAction(route, route.redirect, req);
  if (route.directResponse) {
    const body = obj(route.directResponse.body);
    const action: DirectResponseAction = {
      kind: 'direct_response',
      status: num(route.directResponse.status) ?? 200,
    };
    const text = str(body?.inline_string) ?? str(body?.inline_bytes);
    if (text !== undefined) action.body = text;
    return action;
  }
  return forwardAction(model, rc, vhost, route, route.route ?? {}, req);
}

const ROUTE_ACTION_HANDLED = new Set([
  'cluster',
  'weighted_clusters',
  'cluster_header',
  'prefix_rewrite',
  'regex_rewrite',
  'host_rewrite_literal',
  'host_rewrite',
  'auto_host_rewrite',
  'host_rewrite_header',
  'host_rewrite_path_regex',
  'timeout',
  'idle_timeout',
  'retry_policy',
  'cors',
  'request_mirror_policies',
  'request_mirror_policy',
  'hash_policy',
  'upgrade_configs',
  'priority',
]);

function forwardAction(
  model: EnvoyModel,
  rc: RouteConfigModel,
  vhost: VirtualHostModel,
  route: RouteModel,
  action: JsonObject,
  req: RoutedRequest,
): ForwardAction {
  const clusters: UpstreamCluster[] = [];
  const weightedAdds: Array<HeaderAddition & { level: HeaderLevel }> = [];
  const single = str(action.cluster);
  if (single !== undefined) clusters.push(upstream(model, single, 1));
  const weighted = obj(action.weighted_clusters);
  if (weighted) {
    const entries = arr(weighted.clusters).map((c) => obj(c) ?? {});
    const weights = entries.map((c) => num(unwrap(c.weight)) ?? 0);
    const total = num(unwrap(weighted.total_weight)) ?? weights.reduce((a, b) => a + b, 0);
    entries.forEach((c, i) => {
      clusters.push(upstream(model, str(c.name) ?? '', total > 0 ? weights[i]! / total : 0));
    });
  }
  const clusterHeader = str(action.cluster_header);
  if (clusterHeader !== undefined) {
    clusters.push({
      name: `(from header ${clusterHeader})`,
      share: 1,
      target: `cluster named by request header ${clusterHeader}`,
    });
  }

  const { path, rewrite } = rewritePath(route, action, req.path);
  const fullPath = req.query !== undefined ? `${path}?${req.query}` : path;
  const out: ForwardAction = {
    kind: 'forward',
    clusters,
    path: fullPath,
    authority: req.authority,
    timeoutMs: durationMs(action.timeout) ?? 15000,
    requestHeadersToAdd: [
      ...weightedAdds,
      ...levelled(route.headerOps.requestAdd, 'route'),
      ...levelled(vhost.headerOps.requestAdd, 'virtual host'),
      ...levelled(rc.headerOps.requestAdd, 'route config'),
    ],
    requestHeadersToRemove: [
      ...route.headerOps.requestRemove,
      ...vhost.headerOps.requestRemove,
      ...rc.headerOps.requestRemove,
    ],
    responseHeadersToAdd: [
      ...levelled(route.headerOps.responseAdd, 'route'),
      ...levelled(vhost.headerOps.responseAdd, 'virtual host'),
      ...levelled(rc.headerOps.responseAdd, 'route config'),
    ],
    responseHeadersToRemove: [
      ...route.headerOps.responseRemove,
      ...vhost.headerOps.responseRemove,
      ...rc.headerOps.responseRemove,
    ],
    mirrors: mirrorsOf(model, action),
    hashPolicy: arr(action.hash_policy),
    upgrades: arr(action.upgrade_configs)
      .map((u) => obj(u) ?? {})
      .filter((u) => unwrap(u.enabled) !== false)
      .map((u) => String(u.upgrade_type ?? '')),
    other: {},
  };
  if (rewrite) out.pathRewrite = rewrite;
  const host = hostRewrite(action, clusters, req);
  if (host) {
    out.authority = host.authority;
    out.hostRewrite = host.how;
  }
  const idle = durationMs(action.idle_timeout);
  if (idle !== undefined) out.idleTimeoutMs = idle;
  const retry = obj(action.retry_policy) ?? vhost.retryPolicy;
  if (retry) out.retryPolicy = retry;
  const cors =
    obj(action.cors) ??
    obj(route.typedPerFilterConfig?.['envoy.filters.http.cors']) ??
    vhost.cors ??
    obj(vhost.typedPerFilterConfig?.['envoy.filters.http.cors']);
  if (cors) out.cors = normaliseCors(cors);
  for (const [k, v] of Object.entries(action)) if (!ROUTE_ACTION_HANDLED.has(k)) out.other[k] = v;
  return out;
}

function levelled(
  list: HeaderAddition[],
  level: HeaderLevel,
): Array<HeaderAddition & { level: HeaderLevel }> {
  return list.map((h) => ({ ...h, level }));
}

function upstream(model: EnvoyModel, name: string, share: number): UpstreamCluster {
  const cluster = model.clusters.get(name);
  const u: UpstreamCluster = {
    name,
    share,
    target: cluster ? describeTarget(cluster) : `cluster ${name} is not defined (Envoy answers 503)`,
  };
  if (cluster) u.cluster = cluster;
  return u;
}

function mirrorsOf(model: EnvoyModel, action: JsonObject): ForwardAction['mirrors'] {
  const policies = [
    ...arr(action.request_mirror_policies),
    ...(obj(action.request_mirror_policy) ? [action.request_mirror_policy!] : []),
  ];
  return policies.map((p) => {
    const policy = obj(p) ?? {};
    const name = str(policy.cluster) ?? '';
    const fraction = normaliseFraction(obj(obj(policy.runtime_fraction)?.default_value));
    return {
      cluster: name,
      target: upstream(model, name, 1).target,
      fraction: fraction ? fractionValue(fraction) : 1,
    };
  });
}

function rewritePath(
  route: RouteModel,
  action: JsonObject,
  path: string,
): { path: string; rewrite?: string } {
  const prefixRewrite = str(action.prefix_rewrite);
  if (prefixRewrite !== undefined) {
    // A regex must match the whole path, so on a safe_regex route the "matched prefix" Envoy
    // replaces is the whole path (seen on Envoy 1.39: prefix_rewrite '/' sends every path as '/').
    const matched =
      str(route.match.prefix) ??
      str(route.match.path) ??
      str(route.match.path_separated_prefix) ??
      (route.match.safe_regex !== undefined ? path : undefined);
    if (matched !== undefined) {
      return {
        path: prefixRewrite + path.slice(matched.length),
        rewrite: `prefix ${matched} → ${prefixRewrite}`,
      };
    }
  }
  const regexRewrite = obj(action.regex_rewrite);
  if (regexRewrite) {
    const pattern = str(obj(regexRewrite.pattern)?.regex) ?? '';
    const substitution = str(regexRewrite.substitution) ?? '';
    return {
      path: regexSubstitute(pattern, substitution, path),
      rewrite: `regex /${pattern}/ → ${substitution}`,
    };
  }
  return { path };
}

/** Envoy's regex_rewrite: every match replaced, `\N` naming capture groups. */
export function regexSubstitute(pattern: string, substitution: string, value: string): string {
  const re = compileRegex(pattern);
  if (re instanceof Error) return value;
  return re.matcher(value).replaceAll((...args: unknown[]) => {
    const groups = args.slice(0, re.groupCount() + 1).map((g) => (typeof g === 'string' ? g : ''));
    return substitution.replace(/\\(\d)/g, (_, d: string) => groups[Number(d)] ?? '');
  });
}

function hostRewrite(
  action: JsonObject,
  clusters: UpstreamCluster[],
  req: RoutedRequest,
): { authority: string; how: string } | undefined {
  const literal = str(action.host_rewrite_literal) ?? str(action.host_rewrite);
  if (literal !== undefined) return { authority: literal, how: `host rewritten to ${literal}` };
  if (unwrap(action.auto_host_rewrite) === true) {
    const target = clusters[0]?.cluster?.target;
    const dnsName =
      target && (target.kind === 'dns' || target.kind === 'static')
        ? target.endpoints[0]?.address
        : undefined;
    return {
      authority: dnsName ?? '(upstream host)',
      how: dnsName
        ? `auto host rewrite to the upstream host ${dnsName}`
        : 'auto host rewrite to the upstream host',
    };
  }
  const header = str(action.host_rewrite_header);
  if (header !== undefined)
    return { authority: `(value of ${header})`, how: `host taken from request header ${header}` };
  const pathRegex = obj(action.host_rewrite_path_regex);
  if (pathRegex) {
    const pattern = str(obj(pathRegex.pattern)?.regex) ?? '';
    const host = regexSubstitute(pattern, str(pathRegex.substitution) ?? '', req.path);
    return { authority: host, how: `host from path regex /${pattern}/` };
  }
  return undefined;
}

function redirectAction(route: RouteModel, r: JsonObject, req: RoutedRequest): RedirectAction {
  const code = r.response_code;
  // proto3 JSON may carry the enum by name or by number (MOVED_PERMANENTLY = 0 … PERMANENT_REDIRECT = 4).
  const status =
    typeof code === 'number'
      ? ([301, 302, 303, 307, 308][code] ?? 301)
      : (REDIRECT_CODES[String(code ?? 'MOVED_PERMANENTLY')] ?? 301);
  const scheme = str(r.scheme_redirect) ?? (r.https_redirect === true ? 'https' : req.forwardedProto);
  const portRedirect = num(r.port_redirect);
  let host = str(r.host_redirect) ?? requestHostForRedirect(req, scheme, portRedirect);
  if (portRedirect !== undefined) {
    const defaultPort =
      (scheme === 'https' && portRedirect === 443) || (scheme === 'http' && portRedirect === 80);
    host = `${stripPort(host)}${defaultPort ? '' : `:${portRedirect}`}`;
  }
  let path = req.path;
  let query = req.query;
  const pathRedirect = str(r.path_redirect);
  const prefixRewrite = str(r.prefix_rewrite);
  const regexRewrite = obj(r.regex_rewrite);
  if (pathRedirect !== undefined) {
    const q = pathRedirect.indexOf('?');
    path = q >= 0 ? pathRedirect.slice(0, q) : pathRedirect;
    if (q >= 0) query = pathRedirect.slice(q + 1);
  } else if (prefixRewrite !== undefined) {
    const matched = str(route.match.prefix) ?? str(route.match.path) ?? '';
    path = prefixRewrite + path.slice(matched.length);
  } else if (regexRewrite) {
    path = regexSubstitute(
      str(obj(regexRewrite.pattern)?.regex) ?? '',
      str(regexRewrite.substitution) ?? '',
      path,
    );
  }
  if (r.strip_query === true) query = undefined;
  return {
    kind: 'redirect',
    status,
    location: `${scheme}://${host}${path}${query !== undefined && query !== '' ? `?${query}` : ''}`,
  };
}

/** Envoy drops the request's port when the scheme changes away from that port's default, or when a new port is set. */
function requestHostForRedirect(
  req: RoutedRequest,
  scheme: string,
  portRedirect: number | undefined,
): string {
  const port = portOf(req.authority);
  if (port === undefined) return req.authority;
  if (portRedirect !== undefined) return stripPort(req.authority);
  if (scheme !== req.forwardedProto) {
    if ((req.forwardedProto === 'https' && port === 443) || (req.forwardedProto === 'http' && port === 80)) {
      return stripPort(req.authority);
    }
  }
  return req.authority;
}

export type { HeaderOps, ResourceRef };

/**
 * One spelling of a CORS policy: RouteAction.cors (Emissary) and the
 * CorsPolicy in typed_per_filter_config (newer Envoy) say the same thing;
 * `filter_enabled` at 100% is the default, and runtime keys are names.
 */
export function normaliseCors(cors: JsonObject): JsonObject {
  const { '@type': _type, filter_enabled, shadow_enabled, ...rest } = cors;
  const out: JsonObject = { ...rest };
  for (const [key, value] of [
    ['filter_enabled', filter_enabled],
    ['shadow_enabled', shadow_enabled],
  ] as const) {
    const fraction = normaliseFraction(obj(obj(value)?.default_value));
    if (!fraction) continue;
    const share = fractionValue(fraction);
    if (key === 'filter_enabled' && share >= 1) continue;
    out[key] = share;
  }
  return out;
}
