import { pointerSegment } from '@attache/core';
import { formatProblem } from '@attache/envoy-facts';
import { utf8Bytes } from '../utf8-bytes.js';

/** A problem with a field, on its path (the caller reports it on the resource). */
export interface FieldProblem {
  code: string;
  path: string;
  message: string;
}

/** Envoy's limit on a header name or value it adds (HeaderValue key/value max_bytes). */
const maxHeaderBytes = 16384;

/** A control character other than tab (a regex literal in a function is a new object per call). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is checked
const controlCharacter = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** An HTTP field name is a token (RFC 9110 §5.1); Envoy only refuses NUL, CR and LF, but anything else breaks on the wire. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function describe(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** Why Envoy (or the wire) would refuse this name for a header Attaché adds or removes, if it would. */
export function headerNameProblem(name: string, use: 'add' | 'remove' | 'match'): string | undefined {
  if (name === '') return 'is empty; name the header';
  if (utf8Bytes(name, maxHeaderBytes) > maxHeaderBytes) return `is longer than ${maxHeaderBytes} bytes`;
  const bare = use === 'match' && name.startsWith(':') ? name.slice(1) : name;
  if (!token.test(bare)) {
    return `${describe(name)} is not a valid header name: only letters, digits and !#$%&'*+-.^_\`|~ are allowed (no spaces, colons, CR or LF)`;
  }
  if (use !== 'match' && (name.startsWith(':') || name.toLowerCase() === 'host')) {
    return `${describe(name)} cannot be ${use === 'add' ? 'set' : 'removed'}: Envoy refuses to change pseudo-headers and Host (use host_rewrite for Host)`;
  }
  return undefined;
}

/** Why Envoy would refuse this value for a header it adds, if it would. */
export function headerValueProblem(value: string): string | undefined {
  if (utf8Bytes(value, maxHeaderBytes) > maxHeaderBytes) return `is longer than ${maxHeaderBytes} bytes`;
  // RFC 9110 field values: visible characters, spaces and tabs; Envoy refuses NUL, CR and LF outright.
  const control = controlCharacter.exec(value);
  if (control) {
    return `contains the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}; header values cannot hold CR, LF, NUL or other control characters`;
  }
  // Envoy reads an added header's value as a substitution format and refuses the whole
  // route update for a stray "%" or a command it does not know.
  const format = formatProblem(value);
  return format ? `has ${format}: Envoy reads header values as formats` : undefined;
}

/** The value of one `add_*_headers` entry: a string, or `{ value, append }`. */
function additionValue(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry !== null && typeof entry === 'object') {
    const value = (entry as { value?: unknown }).value;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * Problems in a map of headers to add (`add_request_headers`…), on each entry's field, pushed onto
 * `problems` (returned): one list per Mapping, nothing made when there is no problem.
 */
export function headerAdditionProblems(
  additions: unknown,
  path: string,
  problems: FieldProblem[] = [],
): FieldProblem[] {
  if (additions === null || typeof additions !== 'object') return problems;
  for (const name in additions) {
    if (!Object.hasOwn(additions, name)) continue;
    const entry = (additions as Record<string, unknown>)[name];
    if (name === '') continue; // reported as an empty name by the caller
    const at = `${path}/${pointerSegment(name)}`;
    const nameProblem = headerNameProblem(name, 'add');
    if (nameProblem)
      problems.push({ code: 'HTTP_HEADER_INVALID', path: at, message: `header name ${nameProblem}` });
    const value = additionValue(entry);
    const valueProblem = value === undefined ? undefined : headerValueProblem(value);
    if (valueProblem) {
      problems.push({
        code: 'HTTP_HEADER_INVALID',
        path: typeof entry === 'string' ? at : `${at}/value`,
        message: `the value of header '${name}' ${valueProblem}`,
      });
    }
  }
  return problems;
}

/**
 * Problems in a list of header names (`remove_request_headers`…) or the names of a match map,
 * pushed onto `problems` (returned).
 */
export function headerNameListProblems(
  names: unknown,
  path: string,
  use: 'remove' | 'match',
  problems: FieldProblem[] = [],
): FieldProblem[] {
  if (Array.isArray(names)) {
    for (let i = 0; i < names.length; i++) nameProblem(names[i], i, path, use, problems);
  } else if (names !== null && typeof names === 'object') {
    for (const name in names) if (Object.hasOwn(names, name)) nameProblem(name, name, path, use, problems);
  }
  return problems;
}

/** One entry of headerNameListProblems (a function of its own: no closure per call). */
function nameProblem(
  name: unknown,
  segment: string | number,
  path: string,
  use: 'remove' | 'match',
  problems: FieldProblem[],
): void {
  if (typeof name !== 'string' || name === '') return; // the schema and the empty-name check report these
  const problem = headerNameProblem(name, use);
  if (problem)
    problems.push({
      code: 'HTTP_HEADER_INVALID',
      path: `${path}/${typeof segment === 'number' ? segment : pointerSegment(segment)}`,
      message: `header name ${problem}`,
    });
}

/**
 * Mapping fields that end up in a request line or a header (rewrites, redirects, upgrade
 * protocols, health-check paths), where Envoy refuses NUL, CR and LF.
 */
export function lineBreakProblems(
  spec: {
    rewrite?: string;
    host_rewrite?: string;
    path_redirect?: string;
    prefix_redirect?: string;
    regex_rewrite?: { substitution?: string };
    regex_redirect?: { substitution?: string };
    allow_upgrade?: string[];
    health_checks?: Array<{
      health_check?: { http?: { path?: string; hostname?: string }; grpc?: { authority?: string } };
    }>;
  },
  problems: FieldProblem[] = [],
): FieldProblem[] {
  // Checked field by field, the path written only for a problem: this runs for every Mapping
  // (a call only for a field that is set: most Mappings set one of these, if any).
  if (spec.rewrite !== undefined) lineBreak(spec.rewrite, 'rewrite', problems);
  if (spec.host_rewrite !== undefined) lineBreak(spec.host_rewrite, 'host_rewrite', problems);
  if (spec.path_redirect !== undefined) lineBreak(spec.path_redirect, 'path_redirect', problems);
  if (spec.prefix_redirect !== undefined) lineBreak(spec.prefix_redirect, 'prefix_redirect', problems);
  if (spec.regex_rewrite !== undefined)
    lineBreak(spec.regex_rewrite?.substitution, 'regex_rewrite/substitution', problems);
  if (spec.regex_redirect !== undefined)
    lineBreak(spec.regex_redirect?.substitution, 'regex_redirect/substitution', problems);
  spec.allow_upgrade?.forEach((v, i) => {
    lineBreak(v, () => `allow_upgrade/${i}`, problems);
  });
  spec.health_checks?.forEach((hc, i) => {
    lineBreak(hc.health_check?.http?.path, () => `health_checks/${i}/health_check/http/path`, problems);
    lineBreak(
      hc.health_check?.http?.hostname,
      () => `health_checks/${i}/health_check/http/hostname`,
      problems,
    );
    lineBreak(
      hc.health_check?.grpc?.authority,
      () => `health_checks/${i}/health_check/grpc/authority`,
      problems,
    );
  });
  return problems;
}

/** A control character in a field that goes into a request line or header (the path made only then). */
function lineBreak(value: unknown, field: string | (() => string), problems: FieldProblem[]): void {
  if (typeof value !== 'string' || !controlCharacter.test(value)) return;
  const name = typeof field === 'string' ? field : field();
  problems.push({
    code: 'HTTP_SCHEMA_INVALID',
    path: `/spec/${name}`,
    message: `spec.${name.replaceAll('/', '.')} contains a control character (CR, LF, NUL…), which cannot go into a request line or header; remove it`,
  });
}
