import type { JsonObject } from './json.js';
import { arr, num, obj, str } from './json.js';
import { fractionValue } from './normalise-route.js';
import { compileRegex, describeStringMatch, regexFullMatch, stringMatches } from './string-match.js';

/** What the router matches against, after the connection manager's rewrites. */
export interface RoutingInput {
  /** Path without query. */
  path: string;
  query?: string;
  headers: ReadonlyMap<string, string>;
}

export type RouteMatchResult =
  | { matched: true /** Share of requests the runtime fraction admits (1 without one). */; fraction: number }
  | { matched: false; reason: string };

export function matchRoute(match: JsonObject, input: RoutingInput): RouteMatchResult {
  const path = pathMatches(match, input.path);
  if (path !== true) return { matched: false, reason: path };
  for (const h of arr(match.headers)) {
    const failure = headerMismatch(obj(h) ?? {}, input.headers);
    if (failure) return { matched: false, reason: failure };
  }
  const params = parseQuery(input.query);
  for (const q of arr(match.query_parameters)) {
    const failure = queryMismatch(obj(q) ?? {}, params);
    if (failure) return { matched: false, reason: failure };
  }
  if (obj(match.grpc)) {
    const ct = input.headers.get('content-type') ?? '';
    if (!ct.startsWith('application/grpc'))
      return { matched: false, reason: 'not a gRPC request (content-type is not application/grpc)' };
  }
  if (obj(match.tls_context)) {
    return { matched: false, reason: 'tls_context route matches are not modelled' };
  }
  if (match.dynamic_metadata !== undefined || match.filter_state !== undefined) {
    return { matched: false, reason: 'dynamic metadata route matches are not modelled' };
  }
  return { matched: true, fraction: match.runtime_fraction ? fractionValue(match.runtime_fraction) : 1 };
}

/** true, or why the path does not match. */
function pathMatches(match: JsonObject, path: string): true | string {
  const caseSensitive = match.case_sensitive !== false;
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
  const prefix = str(match.prefix);
  if (prefix !== undefined) {
    return fold(path).startsWith(fold(prefix))
      ? true
      : `path ${path} does not start with ${prefix}${caseSensitive ? '' : ' (any case)'}`;
  }
  const exact = str(match.path);
  if (exact !== undefined) {
    return fold(path) === fold(exact)
      ? true
      : `path ${path} is not ${exact}${caseSensitive ? '' : ' (any case)'}`;
  }
  const regex = str(obj(match.safe_regex)?.regex);
  if (regex !== undefined) {
    const re = compileRegex(regex);
    if (re instanceof Error)
      return `regex /${regex}/ is invalid (${re.message}); Envoy would reject this configuration`;
    return re.matches(path) ? true : `path ${path} does not match /${regex}/`;
  }
  const separated = str(match.path_separated_prefix);
  if (separated !== undefined) {
    const p = fold(path);
    const s = fold(separated);
    return p === s || p.startsWith(`${s}/`)
      ? true
      : `path ${path} is not ${separated} or under ${separated}/`;
  }
  if (obj(match.connect_matcher)) return 'CONNECT matcher (only CONNECT requests match)';
  if (obj(match.path_match_policy)) return 'path_match_policy (URI templates) is not modelled';
  return 'route has no path matcher';
}

function headerMismatch(h: JsonObject, headers: ReadonlyMap<string, string>): string | undefined {
  const name = (str(h.name) ?? '').toLowerCase();
  const invert = h.invert_match === true;
  let value = headers.get(name);
  if (value === undefined && h.treat_missing_header_as_empty === true) value = '';
  let ok: boolean;
  let wanted: string;
  const sm = obj(h.string_match);
  const range = obj(h.range_match);
  if (sm) {
    ok = value !== undefined && stringMatches(sm, value);
    wanted = `${name} ${describeStringMatch(sm)}`;
  } else if (range) {
    const n = value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
    ok = n !== undefined && n >= (num(range.start) ?? 0) && n < (num(range.end) ?? 0);
    wanted = `${name} in [${range.start}, ${range.end})`;
  } else {
    const present = h.present_match !== false;
    ok = present ? value !== undefined : value === undefined;
    wanted = present ? `${name} present` : `${name} absent`;
  }
  if (invert) ok = !ok;
  if (ok) return undefined;
  const got = value === undefined ? `${name} is absent` : `${name} is '${value}'`;
  return `header ${invert ? 'must not match' : 'must match'}: ${wanted}; ${got}`;
}

function queryMismatch(q: JsonObject, params: ReadonlyMap<string, string>): string | undefined {
  const name = str(q.name) ?? '';
  const value = params.get(name);
  const sm = obj(q.string_match);
  if (sm) {
    if (value !== undefined && stringMatches(sm, value)) return undefined;
    return `query parameter ${name} must ${describeStringMatch(sm)}; ${value === undefined ? 'it is absent' : `it is '${value}'`}`;
  }
  const present = q.present_match !== false;
  if (present === (value !== undefined)) return undefined;
  return `query parameter ${name} must be ${present ? 'present' : 'absent'}`;
}

/** Envoy keeps the first value of a repeated parameter and does not percent-decode. */
export function parseQuery(query: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!query) return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (!out.has(name)) out.set(name, eq < 0 ? '' : part.slice(eq + 1));
  }
  return out;
}

export { regexFullMatch };
