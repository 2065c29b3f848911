import type {
  IRCorsPolicy,
  IRForwardAction,
  IRHashPolicy,
  IRHeaderMatch,
  IRHeaderValueOption,
  IRRedirectAction,
  IRRetryPolicy,
  IRRoute,
  IRRouteAction,
  IRStringMatch,
  IRWeightedCluster,
} from '@attache/core';
import type { Static } from '@sinclair/typebox';
import { IngestedMapping } from '../ingest/mappings.js';
import { type HttpHost, type HttpMapping, type HttpModule, noRouteNames } from '../model.js';
import { durationOf, headerValue, type Upstream } from '../resolve/upstreams.js';
import type { Cors, RetryPolicy } from '../schemas/common.js';
import { parseService } from '../service.js';
import { withErrorResponses } from './error-responses.js';
import type { GroupMember, RouteGroup } from './groups.js';
import type { BuildState, KeptRouteEntry } from './kept-build.js';
import { insertName, namesOf, routeKindsOf } from './route-names.js';

export type SecurityModel = 'XFP' | 'SECURE' | 'INSECURE';

const xfpHttps: IRHeaderMatch = { name: 'x-forwarded-proto', match: { exact: 'https' } };

/**
 * The header conditions of a secure XFP route whose Mapping has none of its own: one list for
 * every such route (~6,500 at 10 x 10,000, each kept until the output is printed), since IR
 * routes are plain data no pass edits (plugins copy a route, or its match, to change it).
 */
const xfpHttpsOnly: readonly IRHeaderMatch[] = Object.freeze([xfpHttps]);

/**
 * The insecure action of a Host that redirects cleartext to HTTPS: one object for every route
 * (~6,500 at 10 x 10,000), since IR routes are plain data no pass edits (plugins copy a route to
 * change it, as withGrpcOptions does).
 */
const redirectToHttps: IRRedirectAction = { kind: 'redirect', httpsRedirect: true };

/** Routes already built for a group member, by what they depend on besides the member (see memberKey). */
export type RouteMemo = Map<GroupMember, Map<string, IRRoute[]>>;

/**
 * Routes kept from earlier compiles (incremental compiler): per Mapping, keyed
 * by its normalised spec (the same object while the Mapping, the Module and the
 * other ingest inputs are unchanged), with everything else a Mapping's routes
 * depend on compared field by field (the Module is the state's own salt).
 * Unchanged Mappings keep their route objects, so lowering can reuse what it
 * made of them.
 */
export interface KeptRoutes {
  state: BuildState;
  /** Per group: its match, runtime key and shadows (with their clusters). */
  groupSalts: Map<RouteGroup, string>;
}

/**
 * What a member's routes depend on in its group. A single plain Mapping's group
 * holds nothing the Mapping does not (its match and authority are computed from
 * its spec, the memo key): the empty string. Other groups are written out.
 */
function groupSaltOf(kept: KeptRoutes, group: RouteGroup, upstreams: ReadonlyMap<string, Upstream>): string {
  return group.single ? '' : groupSalt(kept, group, upstreams);
}

function groupSalt(kept: KeptRoutes, group: RouteGroup, upstreams: ReadonlyMap<string, Upstream>): string {
  let salt = kept.groupSalts.get(group);
  if (salt === undefined) {
    salt = JSON.stringify([
      group.match,
      group.authority ?? null,
      group.runtimeKey,
      group.shadows.map((s) => [s.id, s.fields.weight ?? null, upstreams.get(s.id)?.cluster.name ?? null]),
    ]);
    kept.groupSalts.set(group, salt);
  }
  return salt;
}

/** The identity of authorityMatch(group, host): equal strings, equal conditions. */
function authorityIdentity(group: RouteGroup, host: HttpHost): string {
  const a = group.authority;
  if (!a) return '';
  if ('regex' in a) return `r${a.regex}`;
  if (a.glob === '*' || a.glob === host.hostname) return '';
  return `g${a.glob}`;
}

/** The routes kept for a member in this situation, or those `build` makes (then kept). */
function keptMemberRoutes(
  kept: KeptRoutes,
  member: GroupMember,
  group: RouteGroup,
  situation: string,
  host: HttpHost,
  upstream: Upstream | undefined,
  upstreams: ReadonlyMap<string, Upstream>,
  build: () => IRRoute[],
): IRRoute[] {
  const state = kept.state;
  const mapping = member.mapping;
  const authority = authorityIdentity(group, host);
  const groupKey = groupSaltOf(kept, group, upstreams);
  const cluster = upstream?.cluster.name;
  const upstreamAuthority = upstream?.authority;
  const entries = state.routes.get(mapping.spec);
  if (entries !== undefined) {
    for (const e of entries) {
      if (
        e.situation === situation &&
        e.authority === authority &&
        e.id === mapping.id &&
        e.ref === mapping.ref &&
        e.cumulative === member.cumulative &&
        e.cluster === cluster &&
        e.upstreamAuthority === upstreamAuthority &&
        e.group === groupKey
      ) {
        e.generation = state.generation;
        return e.routes;
      }
    }
  }
  const routes = build();
  const entry: KeptRouteEntry = {
    situation,
    authority,
    id: mapping.id,
    ref: mapping.ref,
    cumulative: member.cumulative,
    cluster,
    upstreamAuthority,
    group: groupKey,
    routes,
    generation: state.generation,
  };
  // Entries of older compiles go when the spec is seen again: a spec's entries do not pile up.
  const list = entries ? entries.filter((e) => e.generation === state.generation) : [];
  list.push(entry);
  state.routes.set(mapping.spec, list);
  return routes;
}

/**
 * The routes of one Host's virtual host under one security model. On an XFP
 * Listener each Mapping gives a secure route (x-forwarded-proto: https) with
 * the Mapping's action and an insecure route with the Host's insecure action
 * (route, HTTPS redirect, or none for Reject); when both actions are the same
 * one route without the header does the job of both. SECURE Listeners use the
 * secure action only, INSECURE ones the insecure action only.
 *
 * A group that can attach to several Hosts (hostname "*", a glob, a regex, a
 * mappingSelector) gives the same routes in every Host whose insecure action
 * and :authority condition agree: they are built once (`memo`) and shared,
 * which keeps "*" Mappings × many Hosts linear in what differs.
 */
export function hostRoutes(
  host: HttpHost,
  groups: readonly RouteGroup[],
  model: SecurityModel,
  upstreams: ReadonlyMap<string, Upstream>,
  module: HttpModule['config'],
  memo: RouteMemo = new Map(),
  kept?: KeptRoutes,
  /** Where the routes are appended (returned): a Host's list itself, rather than a list copied into it. */
  routes: IRRoute[] = [],
): IRRoute[] {
  const withAuthority = `authority ${host.insecureAction} ${model}`;
  const anyAuthority = `any ${host.insecureAction} ${model}`;
  // Indexed loops: a compile runs this mostly unoptimised, where for..of makes an iterator result per element.
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const authority = authorityMatch(group, host);
    const shared = attachesToSeveralHosts(group);
    const key = authority ? withAuthority : anyAuthority;
    const members = group.members;
    for (let m = 0; m < members.length; m++) {
      const member = members[m]!;
      const upstream = upstreams.get(member.mapping.id);
      if (!upstream && !member.mapping.fields.host_redirect) continue;
      let byKey = shared ? memo.get(member) : undefined;
      const known = byKey?.get(key);
      if (known) {
        for (let r = 0; r < known.length; r++) routes.push(known[r]!);
        continue;
      }
      // The closure only for the kept routes' lookup (a plain compile builds at once).
      const made = kept
        ? keptMemberRoutes(kept, member, group, key, host, upstream, upstreams, () =>
            memberRoutes(member, group, authority, upstream, upstreams, module, host, model),
          )
        : memberRoutes(member, group, authority, upstream, upstreams, module, host, model);
      // Published for feature plugins (ir.ext['http.mappings'][i].routeNames), kept sorted: the
      // order routes are built in differs between a full and an incremental compile.
      const mapping = member.mapping;
      // A plain compile's Mapping from ingest records the kinds of its route names; its list is
      // made when first read (most never are: see IngestedMapping.addRouteKinds).
      const ingested = kept === undefined && made.length > 0 && mapping instanceof IngestedMapping;
      const kinds = ingested ? routeKindsOf(made, mapping.id) : -1;
      if (kinds >= 0) (mapping as IngestedMapping).addRouteKinds(kinds);
      else {
        let names = mapping.routeNames;
        // A plain compile's first routes of a Mapping (its list is this compile's, empty): the
        // list made at its size, not grown by push to a capacity of 17.
        if (kept === undefined && names.length === 0 && made.length > 0 && made.length <= 2)
          mapping.routeNames = namesOf(made);
        else {
          // The shared empty list of ingest is replaced, never added to.
          if (names === noRouteNames && made.length > 0) names = mapping.routeNames = [];
          for (let r = 0; r < made.length; r++) insertName(names, made[r]!.name);
        }
      }
      for (let r = 0; r < made.length; r++) routes.push(made[r]!);
      if (shared) {
        if (!byKey) {
          byKey = new Map();
          memo.set(member, byKey);
        }
        byKey.set(key, made);
      }
    }
  }
  return routes;
}

/** Only a group with one exact hostname belongs to (at most) one Host name. */
function attachesToSeveralHosts(group: RouteGroup): boolean {
  const a = group.authority;
  return !a || 'regex' in a || a.glob.includes('*');
}

function memberRoutes(
  member: GroupMember,
  group: RouteGroup,
  authority: IRHeaderMatch | undefined,
  upstream: Upstream | undefined,
  upstreams: ReadonlyMap<string, Upstream>,
  module: HttpModule['config'],
  host: HttpHost,
  model: SecurityModel,
): IRRoute[] {
  const base = baseRoute(member, group, authority, upstream, upstreams, module);
  const secure = base.action;
  const insecure: IRRouteAction | null =
    host.insecureAction === 'Route' ? secure : host.insecureAction === 'Redirect' ? redirectToHttps : null;
  const id = member.mapping.id;
  if (model === 'SECURE' || (model === 'XFP' && insecure === secure)) return [base];
  if (model === 'INSECURE') return insecure ? [withAction(base, id, insecure)] : [];
  // The insecure route first: it takes the base's match as it is, and the base becomes the
  // secure route (it is this call's own object: no copy of it per Mapping on every XFP Listener).
  const http = insecure ? withAction(base, `${id}:http`, insecure) : undefined;
  // Object.assign rather than `{ ...base.match, headers }`: V8 builds spread-then-keys literals on a slow path.
  const match = Object.assign({}, base.match);
  const headers = base.match.headers;
  match.headers = headers === undefined ? (xfpHttpsOnly as IRHeaderMatch[]) : headers.concat(xfpHttps);
  base.name = `${id}:https`;
  base.match = match;
  return http ? [base, http] : [base];
}

function withAction(base: IRRoute, name: string, action: IRRouteAction): IRRoute {
  if (action === base.action) {
    if (name === base.name) return base;
    const renamed = Object.assign({}, base);
    renamed.name = name;
    return renamed;
  }
  // A redirect answers before any upstream: header edits and per-route policy do not apply.
  return { name, match: base.match, action, provenance: base.provenance };
}

/** The :authority condition a route needs inside this Host's virtual host (none when the domain already says it). */
function authorityMatch(group: RouteGroup, host: HttpHost): IRHeaderMatch | undefined {
  const a = group.authority;
  if (!a) return undefined;
  if ('regex' in a) return { name: ':authority', match: { regex: a.regex } };
  if (a.glob === '*' || a.glob === host.hostname) return undefined;
  let match: IRStringMatch;
  if (a.glob.startsWith('*')) match = { suffix: a.glob.slice(1) };
  else if (a.glob.endsWith('*')) match = { prefix: a.glob.slice(0, -1) };
  else match = { exact: a.glob };
  return { name: ':authority', match };
}

function baseRoute(
  member: GroupMember,
  group: RouteGroup,
  authority: IRHeaderMatch | undefined,
  upstream: Upstream | undefined,
  upstreams: ReadonlyMap<string, Upstream>,
  module: HttpModule['config'],
): IRRoute {
  const mapping = member.mapping;
  const spec = mapping.fields;
  // Routes without a condition of their own share the group's match (plain data, never mutated).
  // Object.assign rather than a spread: an empty literal has room for the keys added below (a
  // spread's copy is made to its source's size, and a key added to it goes to a property array).
  const match = authority || member.cumulative !== undefined ? Object.assign({}, group.match) : group.match;
  if (authority) {
    const headers = group.match.headers;
    match.headers = headers === undefined ? [authority] : [authority].concat(headers);
  }
  if (member.cumulative !== undefined) {
    match.runtimeFraction = {
      numerator: member.cumulative,
      denominator: 'HUNDRED',
      runtimeKey: group.runtimeKey,
    };
  }
  const action = spec.host_redirect
    ? redirectAction(mapping)
    : forwardAction(mapping, group, upstream!, upstreams, module);
  // No list for a Mapping that adds no request header (most).
  let add: IRHeaderValueOption[] | undefined;
  if (action.kind === 'forward') {
    add = spec.add_request_headers === undefined ? undefined : headerOptions(spec.add_request_headers);
    if (spec.add_linkerd_headers ?? module.add_linkerd_headers) {
      // Envoy reads added header values as formats: a "%" of the service name is a literal one.
      add ??= [];
      add.push({
        key: 'l5d-dst-override',
        value: upstream!.authority.replaceAll('%', '%%'),
        append: 'OVERWRITE_IF_EXISTS_OR_ADD',
      });
    }
  }
  // The added headers in the literal (the key where it was set after it: no property array).
  const route: IRRoute =
    add !== undefined && add.length > 0
      ? { name: mapping.id, match, action, provenance: [mapping.ref], requestHeadersToAdd: add }
      : { name: mapping.id, match, action, provenance: [mapping.ref] };
  if (action.kind === 'forward') {
    if (spec.remove_request_headers?.length) route.requestHeadersToRemove = [...spec.remove_request_headers];
    if (spec.add_response_headers !== undefined) {
      const addResponse = headerOptions(spec.add_response_headers);
      if (addResponse.length) route.responseHeadersToAdd = addResponse;
    }
    if (spec.remove_response_headers?.length)
      route.responseHeadersToRemove = [...spec.remove_response_headers];
  }
  withErrorResponses(route, mapping);
  return route;
}

function headerOptions(map: Record<string, unknown> | undefined): IRHeaderValueOption[] {
  const options: IRHeaderValueOption[] = [];
  if (map === undefined) return options;
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const { value, append } = headerValue(map[key]);
    options.push({ key, value, append: append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  return options;
}

function redirectAction(mapping: HttpMapping): IRRedirectAction {
  const spec = mapping.fields;
  const target = parseService(spec.service);
  const action: IRRedirectAction = { kind: 'redirect' };
  if (!('error' in target)) {
    action.hostRedirect = target.port ? `${target.host}:${target.port}` : target.host;
    if (target.scheme === 'https') action.httpsRedirect = true;
  }
  if (spec.path_redirect) action.pathRedirect = spec.path_redirect;
  else if (spec.prefix_redirect) action.prefixRewrite = spec.prefix_redirect;
  else if (spec.regex_redirect) action.regexRewrite = { ...spec.regex_redirect };
  if (spec.redirect_response_code)
    action.responseCode = spec.redirect_response_code as IRRedirectAction['responseCode'];
  return action;
}

function forwardAction(
  mapping: HttpMapping,
  group: RouteGroup,
  upstream: Upstream,
  upstreams: ReadonlyMap<string, Upstream>,
  module: HttpModule['config'],
): IRForwardAction {
  const spec = mapping.fields;
  // The upstream's one shared list (frozen) where it has one.
  const clusters = (upstream.routeClusters as IRWeightedCluster[] | undefined) ?? [
    { cluster: upstream.cluster.name, weight: 100 },
  ];
  const timeoutMs = spec.timeout_ms ?? module.cluster_request_timeout_ms ?? 3000;
  let action: IRForwardAction;
  if (!spec.regex_rewrite && !spec.host_rewrite && !spec.auto_host_rewrite) {
    // Most actions: their fields written in the literal, in the order of the general case below,
    // so that the object holds them itself (no property array of its own, kept until printing).
    // The idle timeout too, where set (its key is the next one the general case writes).
    const rewrite = spec.rewrite ?? '/';
    const idleTimeoutMs = spec.idle_timeout_ms;
    if (idleTimeoutMs === undefined)
      action =
        rewrite !== ''
          ? { kind: 'forward', clusters, prefixRewrite: rewrite, timeoutMs }
          : { kind: 'forward', clusters, timeoutMs };
    else
      action =
        rewrite !== ''
          ? { kind: 'forward', clusters, prefixRewrite: rewrite, timeoutMs, idleTimeoutMs }
          : { kind: 'forward', clusters, timeoutMs, idleTimeoutMs };
  } else {
    action = { kind: 'forward', clusters };
    if (spec.regex_rewrite) action.regexRewrite = { ...spec.regex_rewrite };
    else {
      const rewrite = spec.rewrite ?? '/';
      if (rewrite !== '') action.prefixRewrite = rewrite;
    }
    if (spec.host_rewrite) action.hostRewrite = spec.host_rewrite;
    if (spec.auto_host_rewrite) action.autoHostRewrite = true;
    action.timeoutMs = timeoutMs;
    if (spec.idle_timeout_ms !== undefined) action.idleTimeoutMs = spec.idle_timeout_ms;
  }
  if (spec.priority) action.priority = spec.priority === 'high' ? 'HIGH' : 'DEFAULT';
  const retry = spec.retry_policy ?? module.retry_policy;
  if (retry) action.retryPolicy = retryPolicy(retry);
  const cors = spec.cors ?? module.cors;
  if (cors) action.cors = corsPolicy(cors);
  if (group.shadows.length > 0) {
    const shadows = group.shadows
      .map((s) => ({ cluster: upstreams.get(s.id)?.cluster.name, percent: s.fields.weight ?? 100 }))
      .filter((s): s is { cluster: string; percent: number } => s.cluster !== undefined);
    if (shadows.length) action.shadows = shadows.map((s) => (s.percent === 100 ? { cluster: s.cluster } : s));
  }
  const lb = spec.load_balancer ?? module.load_balancer;
  if (lb && (lb.policy === 'ring_hash' || lb.policy === 'maglev')) {
    const hash: IRHashPolicy[] = [];
    if (lb.cookie) {
      const cookie: { name: string; ttlSeconds?: number; path?: string } = { name: lb.cookie.name };
      if (lb.cookie.path) cookie.path = lb.cookie.path;
      if (lb.cookie.ttl) cookie.ttlSeconds = Number.parseFloat(durationOf(lb.cookie.ttl));
      hash.push({ cookie });
    } else if (lb.header) hash.push({ header: lb.header });
    else if (lb.source_ip) hash.push({ sourceIp: true });
    if (hash.length) action.hashPolicy = hash;
  }
  if (spec.allow_upgrade !== undefined || spec.use_websocket) {
    const upgrades = [...(spec.allow_upgrade ?? [])];
    if (spec.use_websocket && !upgrades.some((u) => u.toLowerCase() === 'websocket'))
      upgrades.push('websocket');
    if (upgrades.length) action.upgradeTypes = upgrades;
  }
  return action;
}

function retryPolicy(r: Static<typeof RetryPolicy>): IRRetryPolicy {
  const out: IRRetryPolicy = {};
  if (r.retry_on) out.retryOn = r.retry_on;
  if (r.num_retries !== undefined) out.numRetries = r.num_retries;
  if (r.per_try_timeout)
    out.perTryTimeoutMs = Math.round(Number.parseFloat(durationOf(r.per_try_timeout)) * 1000);
  if (r.retriable_status_codes?.length) out.retriableStatusCodes = [...r.retriable_status_codes];
  return out;
}

const listOf = (v: string | string[] | undefined) =>
  v === undefined ? [] : (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== '');

function corsPolicy(c: Static<typeof Cors>): IRCorsPolicy {
  const out: IRCorsPolicy = {};
  const origins = listOf(c.origins);
  if (origins.length) out.allowOrigins = origins.map((o) => ({ exact: o }));
  const methods = listOf(c.methods);
  if (methods.length) out.allowMethods = methods.join(', ');
  const headers = listOf(c.headers);
  if (headers.length) out.allowHeaders = headers.join(', ');
  const exposed = listOf(c.exposed_headers);
  if (exposed.length) out.exposeHeaders = exposed.join(', ');
  if (c.max_age !== undefined) out.maxAge = String(c.max_age);
  if (c.credentials !== undefined) out.allowCredentials = c.credentials;
  return out;
}

export { insertName, namesOf };
