import { isIP } from 'node:net';

/**
 * The `well_known` string formats of protoc-gen-validate, implemented as
 * PGV's Go validators define them (the ones Envoy's generated validators run).
 */

/** RFC 1034 hostname, as PGV checks it: labels of 1–63 letters, digits and inner hyphens; ≤ 253 chars. */
export function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.startsWith('-') || label.endsWith('-')) return false;
    if (!/^[A-Za-z0-9-]+$/.test(label)) return false;
  }
  return true;
}

export function isIpAddress(value: string, version?: 4 | 6): boolean {
  const found = isIP(value);
  return version === undefined ? found !== 0 : found === version;
}

export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  const local = value.slice(0, at);
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)) return false;
  return isHostname(value.slice(at + 1));
}

/** An absolute URI: a scheme and something URL parsing accepts. */
export function isUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && URL.canParse(value);
}

/** An absolute or relative URI reference. */
export function isUriRef(value: string): boolean {
  return URL.canParse(value, 'http://relative.invalid/');
}

export function isUuid(value: string): boolean {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value);
}

// PGV's KnownRegex patterns (validate.proto: HTTP_HEADER_NAME / HTTP_HEADER_VALUE).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what HTTP forbids
const strictHeaderValue = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
const strictHeaderName = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the loose mode only forbids NUL, CR and LF
const looseHeader = /^[^\u0000\u000A\u000D]*$/;

export function isHttpHeaderName(value: string, strict: boolean): boolean {
  return (strict ? strictHeaderName : looseHeader).test(value);
}

export function isHttpHeaderValue(value: string, strict: boolean): boolean {
  return (strict ? strictHeaderValue : looseHeader).test(value);
}

/** Length in Unicode code points, as PGV's min_len/max_len count. */
export function codePointLength(value: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) surrogatePairs++;
  }
  return value.length - surrogatePairs;
}
