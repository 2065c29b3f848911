import { RE2JS } from 're2js';
import type { JsonObject } from './json.js';
import { obj, str } from './json.js';

const cache = new Map<string, RE2JS | Error>();

/** RE2 (Envoy's engine), compiled once per pattern; an invalid pattern comes back as an Error. */
export function compileRegex(pattern: string): RE2JS | Error {
  let compiled = cache.get(pattern);
  if (!compiled) {
    try {
      compiled = RE2JS.compile(pattern);
    } catch (e) {
      compiled = e instanceof Error ? e : new Error(String(e));
    }
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** Envoy's safe_regex: the whole value must match. */
export function regexFullMatch(pattern: string, value: string): boolean {
  const re = compileRegex(pattern);
  return re instanceof Error ? false : re.matches(value);
}

/** envoy.type.matcher.v3.StringMatcher (normalised: exact/prefix/suffix/contains/safe_regex, ignore_case). */
export function stringMatches(matcher: JsonObject, value: string): boolean {
  const ignoreCase = matcher.ignore_case === true;
  const v = ignoreCase ? value.toLowerCase() : value;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  if (typeof matcher.exact === 'string') return v === fold(matcher.exact);
  if (typeof matcher.prefix === 'string') return v.startsWith(fold(matcher.prefix));
  if (typeof matcher.suffix === 'string') return v.endsWith(fold(matcher.suffix));
  if (typeof matcher.contains === 'string') return v.includes(fold(matcher.contains));
  const regex = str(obj(matcher.safe_regex)?.regex);
  if (regex !== undefined) return regexFullMatch(regex, value);
  return false;
}

export function describeStringMatch(matcher: JsonObject): string {
  const ic = matcher.ignore_case === true ? ' (ignoring case)' : '';
  if (typeof matcher.exact === 'string') return `= '${matcher.exact}'${ic}`;
  if (typeof matcher.prefix === 'string') return `starts with '${matcher.prefix}'${ic}`;
  if (typeof matcher.suffix === 'string') return `ends with '${matcher.suffix}'${ic}`;
  if (typeof matcher.contains === 'string') return `contains '${matcher.contains}'${ic}`;
  const regex = str(obj(matcher.safe_regex)?.regex);
  if (regex !== undefined) return `matches /${regex}/`;
  return 'matches (unknown matcher)';
}
