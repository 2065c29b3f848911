import type { Json, JsonObject } from './json.js';
import { arr, bool, isObject, num, obj, str, unwrap } from './json.js';
import type { HeaderAddition, HeaderOps } from './model.js';

/**
 * RouteMatch in one form: header and query matchers as `string_match`
 * (legacy exact_match / prefix_match / safe_regex_match folded in), regexes
 * without their engine block, `case_sensitive` only when false, runtime
 * fractions as {numerator, denominator} without the runtime key (a name).
 */
export function normaliseRouteMatch(match: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(match)) {
    switch (key) {
      case 'case_sensitive':
        if (unwrap(value) === false) out.case_sensitive = false;
        break;
      case 'safe_regex':
        out.safe_regex = { regex: str(obj(value)?.regex) ?? '' };
        break;
      case 'headers':
        out.headers = arr(value).map((h) => normaliseHeaderMatcher(obj(h) ?? {}));
        break;
      case 'query_parameters':
        out.query_parameters = arr(value).map((q) => normaliseQueryMatcher(obj(q) ?? {}));
        break;
      case 'runtime_fraction': {
        const fraction = normaliseFraction(obj(obj(value)?.default_value));
        if (fraction) out.runtime_fraction = fraction;
        break;
      }
      case 'grpc':
        out.grpc = {};
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

export function normaliseFraction(value: JsonObject | undefined): JsonObject | undefined {
  if (!value) return undefined;
  const denominator = str(value.denominator) ?? 'HUNDRED';
  return { numerator: num(value.numerator) ?? 0, denominator };
}

export function fractionValue(fraction: Json | undefined): number {
  const f = obj(fraction);
  if (!f) return 1;
  const scale = f.denominator === 'MILLION' ? 1e6 : f.denominator === 'TEN_THOUSAND' ? 1e4 : 100;
  return Math.min(1, (num(f.numerator) ?? 0) / scale);
}

export function normaliseStringMatcher(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const kind of ['exact', 'prefix', 'suffix', 'contains'] as const) {
    if (typeof value[kind] === 'string') out[kind] = value[kind];
  }
  if (isObject(value.safe_regex)) out.safe_regex = { regex: str(value.safe_regex.regex) ?? '' };
  if (bool(value.ignore_case)) out.ignore_case = true;
  return out;
}

export function normaliseHeaderMatcher(h: JsonObject): JsonObject {
  const out: JsonObject = { name: str(h.name) ?? '' };
  const legacy: Record<string, string> = {
    exact_match: 'exact',
    prefix_match: 'prefix',
    suffix_match: 'suffix',
    contains_match: 'contains',
  };
  let stringMatch: JsonObject | undefined;
  for (const [field, kind] of Object.entries(legacy)) {
    if (typeof h[field] === 'string') stringMatch = { [kind]: h[field] };
  }
  if (isObject(h.safe_regex_match))
    stringMatch = { safe_regex: { regex: str(h.safe_regex_match.regex) ?? '' } };
  if (isObject(h.string_match)) stringMatch = normaliseStringMatcher(h.string_match);
  if (stringMatch) out.string_match = stringMatch;
  else if (isObject(h.range_match)) out.range_match = h.range_match;
  else if (h.present_match !== undefined) out.present_match = unwrap(h.present_match) !== false;
  else out.present_match = true;
  if (bool(h.invert_match)) out.invert_match = true;
  if (bool(h.treat_missing_header_as_empty)) out.treat_missing_header_as_empty = true;
  return out;
}

export function normaliseQueryMatcher(q: JsonObject): JsonObject {
  const out: JsonObject = { name: str(q.name) ?? '' };
  if (isObject(q.string_match)) out.string_match = normaliseStringMatcher(q.string_match);
  else if (q.present_match !== undefined) out.present_match = unwrap(q.present_match) !== false;
  else out.present_match = true;
  return out;
}

export function emptyHeaderOps(): HeaderOps {
  return { requestAdd: [], requestRemove: [], responseAdd: [], responseRemove: [] };
}

export function headerOpsOf(o: JsonObject): HeaderOps {
  return {
    requestAdd: arr(o.request_headers_to_add).map(headerAddition),
    requestRemove: arr(o.request_headers_to_remove).map((s) => String(s)),
    responseAdd: arr(o.response_headers_to_add).map(headerAddition),
    responseRemove: arr(o.response_headers_to_remove).map((s) => String(s)),
  };
}

function headerAddition(value: Json): HeaderAddition {
  const o = obj(value) ?? {};
  const header = obj(o.header) ?? {};
  const explicit = str(o.append_action);
  // The deprecated `append` BoolValue defaults to true (append), false overwrites.
  const action = (explicit ??
    (unwrap(o.append) === false
      ? 'OVERWRITE_IF_EXISTS_OR_ADD'
      : 'APPEND_IF_EXISTS_OR_ADD')) as HeaderAddition['action'];
  return { key: str(header.key) ?? '', value: str(header.value) ?? '', action };
}
