import type {
  IRCorsPolicy,
  IRForwardAction,
  IRHashPolicy,
  IRHeaderMatch,
  IRHeaderValueOption,
  IRQueryParameterMatch,
  IRRedirectAction,
  IRRoute,
  IRRouteMatch,
  IRStringMatch,
} from '@attache/core';
import {
  defined,
  definedAfter,
  duration,
  type Json,
  nonEmpty,
  seconds,
  sortedRecord,
  typeUrl,
} from './common.js';

/** Settings every regex matcher of one compilation carries (IR.regexMaxProgramSize). */
export interface RegexLimits {
  maxProgramSize?: number;
}

const noLimits: RegexLimits = {};

/** envoy.type.matcher.v3.RegexMatcher (RE2 is implicit in v3; the program-size limit is not). */
export function regexMatcher(regex: string, limits: RegexLimits = noLimits): Json {
  return limits.maxProgramSize === undefined
    ? { regex }
    : { google_re2: { max_program_size: limits.maxProgramSize }, regex };
}

/** IR string match → envoy.type.matcher.v3.StringMatcher. */
export function stringMatcher(match: IRStringMatch, limits: RegexLimits = noLimits): Json {
  if ('regex' in match) return { safe_regex: regexMatcher(match.regex, limits) };
  const ignoreCase = match.ignoreCase || undefined;
  if ('exact' in match) return defined({ exact: match.exact, ignore_case: ignoreCase });
  if ('prefix' in match) return defined({ prefix: match.prefix, ignore_case: ignoreCase });
  if ('suffix' in match) return defined({ suffix: match.suffix, ignore_case: ignoreCase });
  return defined({ contains: match.contains, ignore_case: ignoreCase });
}

/**
 * Lowered header and query matchers (and their lists) and redirect actions by IR object, per regex limits. The
 * http plugin shares these objects between routes (x-forwarded-proto on every secure route, a
 * Mapping's headers on each of its routes, the redirect to HTTPS of every insecure route):
 * lowered once, the same JSON is shared too (6,500 redirect actions fewer at 10,000 Mappings),
 * and the validator judges a shared list item or field value once. IR objects are never
 * mutated once made, nor is lowered JSON (admission prunes a copy).
 */
const loweredMatchers = new WeakMap<RegexLimits, WeakMap<object, unknown>>();

let lastLimits: RegexLimits | undefined;
let lastByMatcher: WeakMap<object, unknown> | undefined;

function sharedLowering<T extends object, J>(
  matcher: T,
  limits: RegexLimits,
  lower: (matcher: T, limits: RegexLimits) => J,
): J {
  // (The last limits' map kept at hand: one lookup fewer per header matcher of every route.)
  let byMatcher = limits === lastLimits ? lastByMatcher : undefined;
  if (byMatcher === undefined) {
    byMatcher = loweredMatchers.get(limits);
    if (byMatcher === undefined) {
      byMatcher = new WeakMap();
      loweredMatchers.set(limits, byMatcher);
    }
    lastLimits = limits;
    lastByMatcher = byMatcher;
  }
  let json = byMatcher.get(matcher) as J | undefined;
  if (json === undefined) {
    json = lower(matcher, limits);
    byMatcher.set(matcher, json);
  }
  return json;
}

/**
 * A route's header matchers. The http plugin shares whole IR lists between routes too (a
 * secure route's [x-forwarded-proto], a Mapping's headers on its routes: ~4,400 lists for
 * ~9,100 routes at 10,000 Mappings), so the lowered list is shared the same way (a list per
 * IR list, not per route).
 */
function headerMatchers(headers: readonly IRHeaderMatch[], limits: RegexLimits): Json[] {
  return headers.map((h) => sharedLowering(h, limits, headerMatcher));
}

/** A route's query parameter matchers, shared by IR list as headerMatchers are. */
function queryMatchers(query: readonly IRQueryParameterMatch[], limits: RegexLimits): Json[] {
  return query.map((q) => sharedLowering(q, limits, queryMatcher));
}

function headerMatcher(h: IRHeaderMatch, limits: RegexLimits): Json {
  return defined({
    invert_match: h.invert || undefined,
    name: h.name,
    present_match: h.match ? undefined : (h.present ?? true),
    string_match: h.match ? stringMatcher(h.match, limits) : undefined,
  });
}

function queryMatcher(q: IRQueryParameterMatch, limits: RegexLimits): Json {
  return defined({
    name: q.name,
    present_match: q.match ? undefined : (q.present ?? true),
    string_match: q.match ? stringMatcher(q.match, limits) : undefined,
  });
}

/**
 * IR route match → RouteMatch. Built key by key in code-unit order (the order the printer's
 * canonical JSON wants, so it need not copy the object), without an intermediate literal:
 * routes are lowered by the ten thousand.
 */
function routeMatch(match: IRRouteMatch, limits: RegexLimits): Json {
  const path = match.path;
  const out: Json = {};
  if (match.caseSensitive !== undefined) out.case_sensitive = match.caseSensitive;
  if (match.grpc) out.grpc = {};
  const headers = match.headers;
  if (headers !== undefined && headers.length > 0) {
    out.headers = sharedLowering(headers, limits, headerMatchers);
  }
  if (path.kind === 'path') out.path = path.value;
  else if (path.kind === 'prefix') out.prefix = path.value;
  const query = match.queryParameters;
  if (query !== undefined && query.length > 0) {
    out.query_parameters = sharedLowering(query, limits, queryMatchers);
  }
  if (match.runtimeFraction) {
    out.runtime_fraction = {
      default_value: {
        denominator: match.runtimeFraction.denominator,
        numerator: match.runtimeFraction.numerator,
      },
      runtime_key: match.runtimeFraction.runtimeKey,
    };
  }
  if (path.kind !== 'path' && path.kind !== 'prefix') out.safe_regex = regexMatcher(path.value, limits);
  return out;
}

// Made once (a constant, not a new concatenation per route).
const corsPolicyType = typeUrl('envoy.extensions.filters.http.cors.v3.CorsPolicy');

/** The v3 CORS policy, carried as the cors filter's per-route config (RouteAction.cors is deprecated). */
export function corsPolicy(cors: IRCorsPolicy, limits: RegexLimits = noLimits): Json {
  return defined({
    '@type': corsPolicyType,
    allow_credentials: cors.allowCredentials,
    allow_headers: cors.allowHeaders,
    allow_methods: cors.allowMethods,
    allow_origin_string_match: nonEmpty(cors.allowOrigins?.map((origin) => stringMatcher(origin, limits))),
    expose_headers: cors.exposeHeaders,
    max_age: cors.maxAge,
  });
}

/** Explicit per-filter configs win over the ones lowering derives (e.g. CORS). */
export function typedPerFilterConfig(
  explicit: Record<string, Record<string, unknown>> | undefined,
  cors: IRCorsPolicy | undefined,
  limits: RegexLimits = noLimits,
): Json | undefined {
  // The common case (no CORS, no explicit configs) allocates nothing: lowered for every route.
  if (cors === undefined && explicit === undefined) return undefined;
  const out: Json = {};
  if (cors) out['envoy.filters.http.cors'] = corsPolicy(cors, limits);
  Object.assign(out, explicit ?? {});
  return Object.keys(out).length > 0 ? sortedRecord(out) : undefined;
}

function hashPolicy(policy: IRHashPolicy): Json {
  const terminal = policy.terminal || undefined;
  if ('header' in policy) return defined({ header: { header_name: policy.header }, terminal });
  if ('cookie' in policy) {
    return defined({
      cookie: defined({
        name: policy.cookie.name,
        path: policy.cookie.path,
        ttl: seconds(policy.cookie.ttlSeconds),
      }),
      terminal,
    });
  }
  return defined({ connection_properties: { source_ip: true }, terminal });
}

function regexRewrite(
  rewrite: { pattern: string; substitution: string } | undefined,
  limits: RegexLimits,
): Json | undefined {
  return rewrite
    ? { pattern: regexMatcher(rewrite.pattern, limits), substitution: rewrite.substitution }
    : undefined;
}

function forwardAction(action: IRForwardAction, rateLimits: Json[] | undefined, limits: RegexLimits): Json {
  if (action.extra === undefined) return forwardFields(action, rateLimits, limits);
  // (Not a destructuring with a rest element: that allocates an array per route.)
  const only = action.clusters.length === 1 ? action.clusters[0] : undefined;
  const target: Json = only
    ? { cluster: only.cluster }
    : {
        weighted_clusters: {
          clusters: action.clusters.map((c) => ({ name: c.cluster, weight: c.weight })),
        },
      };
  // A plugin's extra fields (rare) come last; the printer puts them in order.
  return definedAfter(target, {
    auto_host_rewrite: action.hostRewrite === undefined ? action.autoHostRewrite : undefined,
    hash_policy: nonEmpty(action.hashPolicy?.map(hashPolicy)),
    host_rewrite_literal: action.hostRewrite,
    idle_timeout: duration(action.idleTimeoutMs),
    prefix_rewrite: action.prefixRewrite,
    priority: action.priority,
    rate_limits: rateLimits,
    regex_rewrite: regexRewrite(action.regexRewrite, limits),
    request_mirror_policies: mirrorPolicies(action.shadows),
    retry_policy: retryPolicy(action.retryPolicy),
    timeout: duration(action.timeoutMs),
    upgrade_configs: nonEmpty(action.upgradeTypes?.map((t) => ({ upgrade_type: t }))),
    ...action.extra,
  });
}

function retryPolicy(retry: IRForwardAction['retryPolicy']): Json | undefined {
  return retry
    ? defined({
        num_retries: retry.numRetries,
        per_try_timeout: duration(retry.perTryTimeoutMs),
        retriable_status_codes: nonEmpty(retry.retriableStatusCodes),
        retry_on: retry.retryOn,
      })
    : undefined;
}

function mirrorPolicies(shadows: IRForwardAction['shadows']): Json[] | undefined {
  return nonEmpty(
    shadows?.map((s) =>
      defined({
        cluster: s.cluster,
        runtime_fraction:
          s.percent === undefined
            ? undefined
            : { default_value: { denominator: 'HUNDRED', numerator: s.percent } },
      }),
    ),
  );
}

/**
 * forwardAction without a plugin's extra fields: the same keys, set one by one where defined
 * instead of through a literal of every field and a copy, in code-unit order (the order the
 * printer's canonical JSON wants, so it need not copy the object).
 */
function forwardFields(action: IRForwardAction, rateLimits: Json[] | undefined, limits: RegexLimits): Json {
  const out: Json = {};
  const only = action.clusters.length === 1 ? action.clusters[0] : undefined;
  if (action.hostRewrite === undefined) setDefined(out, 'auto_host_rewrite', action.autoHostRewrite);
  if (only) out.cluster = only.cluster;
  setDefined(out, 'hash_policy', nonEmpty(action.hashPolicy?.map(hashPolicy)));
  setDefined(out, 'host_rewrite_literal', action.hostRewrite);
  setDefined(out, 'idle_timeout', duration(action.idleTimeoutMs));
  setDefined(out, 'prefix_rewrite', action.prefixRewrite);
  setDefined(out, 'priority', action.priority);
  setDefined(out, 'rate_limits', rateLimits);
  setDefined(out, 'regex_rewrite', regexRewrite(action.regexRewrite, limits));
  setDefined(out, 'request_mirror_policies', mirrorPolicies(action.shadows));
  setDefined(out, 'retry_policy', retryPolicy(action.retryPolicy));
  setDefined(out, 'timeout', duration(action.timeoutMs));
  setDefined(out, 'upgrade_configs', nonEmpty(action.upgradeTypes?.map((t) => ({ upgrade_type: t }))));
  if (!only) {
    out.weighted_clusters = {
      clusters: action.clusters.map((c) => ({ name: c.cluster, weight: c.weight })),
    };
  }
  return out;
}

const redirectCodes: Record<number, string> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

function redirectAction(action: IRRedirectAction, limits: RegexLimits): Json {
  return defined({
    host_redirect: action.hostRedirect,
    https_redirect: action.httpsRedirect || undefined,
    path_redirect: action.pathRedirect,
    port_redirect: action.portRedirect,
    prefix_rewrite: action.prefixRewrite,
    regex_rewrite: regexRewrite(action.regexRewrite, limits),
    response_code: action.responseCode === undefined ? undefined : redirectCodes[action.responseCode],
    strip_query: action.stripQuery,
  });
}

function headersToAdd(headers: IRHeaderValueOption[] | undefined): Json[] | undefined {
  return nonEmpty(
    headers?.map((h) => ({
      append_action: h.append ?? 'APPEND_IF_EXISTS_OR_ADD',
      header: { key: h.key, value: h.value },
    })),
  );
}

/**
 * IR route → envoy.config.route.v3.Route. Rate limits ride on the
 * RouteAction: a redirect or direct response never reaches the ratelimit
 * filter's route entry, so they have none.
 */
export function lowerRoute(route: IRRoute, limits: RegexLimits = noLimits): Json {
  const action = route.action;
  // Key by key in code-unit order (the order the printer's canonical JSON wants, so it need not
  // copy the object), each where set (no intermediate literals).
  const out: Json = {};
  if (action.kind === 'direct_response') {
    out.direct_response = defined({
      body: action.body === undefined ? undefined : { inline_string: action.body },
      status: action.status,
    });
  }
  out.match = routeMatch(route.match, limits);
  if (route.metadata) out.metadata = { filter_metadata: sortedRecord(route.metadata) };
  out.name = route.name;
  if (action.kind === 'redirect') out.redirect = sharedLowering(action, limits, redirectAction);
  setDefined(out, 'request_headers_to_add', headersToAdd(route.requestHeadersToAdd));
  setDefined(out, 'request_headers_to_remove', nonEmpty(route.requestHeadersToRemove));
  setDefined(out, 'response_headers_to_add', headersToAdd(route.responseHeadersToAdd));
  setDefined(out, 'response_headers_to_remove', nonEmpty(route.responseHeadersToRemove));
  if (action.kind === 'forward') out.route = forwardAction(action, nonEmpty(route.rateLimits), limits);
  setDefined(
    out,
    'typed_per_filter_config',
    typedPerFilterConfig(
      route.typedPerFilterConfig,
      action.kind === 'forward' ? action.cors : undefined,
      limits,
    ),
  );
  return out;
}

function setDefined(out: Json, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}
