import type { DescEnum, DescMessage, Message, ScalarType } from '@bufbuild/protobuf';
import { RE2JS } from 're2js';
import { protobuf } from './protobuf-runtime.js';
import { envoyRegistry } from './registry.js';
import {
  codePointLength,
  isEmail,
  isHostname,
  isHttpHeaderName,
  isHttpHeaderValue,
  isIpAddress,
  isUri,
  isUriRef,
  isUuid,
} from './string-formats.js';
import type { ValueCheck, Walker } from './validate-walker.js';

/**
 * Compiles protoc-gen-validate rule messages (validate.FieldRules and its
 * per-type rules, read from the descriptors' field options) into checks on
 * decoded values. Compiled once per field and cached by the plan, so the
 * per-value cost is a few comparisons.
 *
 * Not implemented, on purpose: timestamp lt_now/gt_now/within (compilation is
 * pure and has no clock) and map no_sparse (proto3 maps cannot be sparse).
 */

/** A rules message as the fields that are set, by proto name, with oneof members flattened. */
export type RuleFields = Record<string, unknown>;

/** Rules records read at build time (fast-descriptors.ts): ruleFields gives them as they are. */
const precomputed = new WeakSet<object>();

/** Marks a record as a rules message already read (the build's table holds nested rules so). */
export function precomputedRuleFields(fields: RuleFields): RuleFields {
  precomputed.add(fields);
  return fields;
}

export function ruleFields(message: Message): RuleFields {
  if (precomputed.has(message)) return message as unknown as RuleFields;
  const desc = envoyRegistry.getMessage(message.$typeName);
  if (!desc) throw new Error(`@attache/envoy: rules message ${message.$typeName} is not in the registry`);
  const out: RuleFields = {};
  const record = message as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    if (!protobuf().isFieldSet(message, field)) continue;
    out[field.name] = field.oneof
      ? (record[field.oneof.localName] as { value: unknown }).value
      : record[field.localName];
  }
  return out;
}

/** What a check is applied to: the shape of the decoded value. */
export type ValueType =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'enum'; enum: DescEnum }
  | { kind: 'message'; message: DescMessage };

/**
 * The checks of one FieldRules type case ('string', 'uint32', 'duration'…)
 * for one value: a singular field, a list item, a map key or value.
 */
export function compileTypeRules(
  typeCase: string,
  rules: RuleFields,
  type: ValueType,
): ValueCheck | undefined {
  switch (typeCase) {
    case 'string':
      return stringCheck(rules);
    case 'bytes':
      return bytesCheck(rules);
    case 'bool':
      return rules.const === undefined
        ? undefined
        : (v, w) => {
            if (v !== rules.const) w.report(`must be ${rules.const}`);
          };
    case 'enum':
      return type.kind === 'enum' ? enumCheck(rules, type.enum) : undefined;
    case 'duration':
      return durationCheck(rules, 'duration');
    case 'timestamp':
      return durationCheck(rules, 'timestamp');
    case 'any':
      return anyCheck(rules);
    case 'float':
    case 'double':
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'sint32':
    case 'sint64':
    case 'fixed32':
    case 'fixed64':
    case 'sfixed32':
    case 'sfixed64':
      return numericCheck(rules, (v) => String(v));
    default:
      return undefined;
  }
}

function all(checks: Array<ValueCheck | undefined>): ValueCheck | undefined {
  const present = checks.filter((c): c is ValueCheck => c !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return (v, w) => {
    for (let i = 0; i < present.length; i++) present[i]!(v, w);
  };
}

// ------------------------------------------------------------------ numbers

type Num = number | bigint;

function numEq(a: Num, b: Num): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

/** gt/gte/lt/lte/const/in/not_in, with PGV's exclusive-range reading when the upper bound is below the lower. */
function numericCheck(rules: RuleFields, show: (v: Num) => string): ValueCheck | undefined {
  const c = rules.const as Num | undefined;
  const gt = rules.gt as Num | undefined;
  const gte = rules.gte as Num | undefined;
  const lt = rules.lt as Num | undefined;
  const lte = rules.lte as Num | undefined;
  const inList = (rules.in as Num[] | undefined) ?? [];
  const notIn = (rules.not_in as Num[] | undefined) ?? [];
  const ignoreEmpty = rules.ignore_empty === true;
  const lower = gt ?? gte;
  const upper = lt ?? lte;
  const hasRange = lower !== undefined || upper !== undefined;
  if (c === undefined && !hasRange && inList.length === 0 && notIn.length === 0) return undefined;

  const lowerOk = (v: Num) => (gt !== undefined ? v > gt : gte !== undefined ? v >= gte : true);
  const upperOk = (v: Num) => (lt !== undefined ? v < lt : lte !== undefined ? v <= lte : true);
  const exclusive = lower !== undefined && upper !== undefined && upper < lower;
  const lowerText =
    gt !== undefined ? `greater than ${show(gt)}` : gte !== undefined ? `at least ${show(gte)}` : '';
  const upperText =
    lt !== undefined ? `less than ${show(lt)}` : lte !== undefined ? `at most ${show(lte)}` : '';
  const rangeText = exclusive
    ? `must be ${upperText} or ${lowerText}`
    : `must be ${[lowerText, upperText].filter(Boolean).join(' and ')}`;

  return (value, w) => {
    const v = value as Num;
    if (ignoreEmpty && (v === 0 || v === 0n)) return;
    if (c !== undefined && !numEq(v, c)) w.report(`must equal ${show(c)}, got ${show(v)}`);
    if (hasRange) {
      const ok = exclusive ? lowerOk(v) || upperOk(v) : lowerOk(v) && upperOk(v);
      if (!ok) w.report(`${rangeText}, got ${show(v)}`);
    }
    if (inList.length > 0 && !inList.some((x) => numEq(v, x))) {
      w.report(`must be one of [${inList.map(show).join(', ')}], got ${show(v)}`);
    }
    if (notIn.some((x) => numEq(v, x))) w.report(`must not be ${show(v)}`);
  };
}

// ------------------------------------------------------------------ strings

const knownRegex = { HTTP_HEADER_NAME: 1, HTTP_HEADER_VALUE: 2 } as const;

function stringCheck(rules: RuleFields): ValueCheck | undefined {
  const checks: Array<(s: string, w: Walker) => void> = [];
  const {
    const: c,
    prefix,
    suffix,
    contains,
    not_contains: notContains,
    pattern,
  } = rules as Record<string, string | undefined>;
  const len = toNumber(rules.len);
  const minLen = toNumber(rules.min_len);
  const maxLen = toNumber(rules.max_len);
  const lenBytes = toNumber(rules.len_bytes);
  const minBytes = toNumber(rules.min_bytes);
  const maxBytes = toNumber(rules.max_bytes);
  const inList = (rules.in as string[] | undefined) ?? [];
  const notIn = (rules.not_in as string[] | undefined) ?? [];
  const strict = rules.strict !== false;

  if (c !== undefined) checks.push((s, w) => s !== c && w.report(`must equal ${JSON.stringify(c)}`));
  if (len !== undefined || minLen !== undefined || maxLen !== undefined) {
    checks.push((s, w) => {
      // A string has between length/2 and length code points: most are judged without counting them.
      const units = s.length;
      if (
        len === undefined &&
        (minLen === undefined || units >= 2 * minLen) &&
        (maxLen === undefined || units <= maxLen)
      )
        return;
      const n = codePointLength(s);
      if (len !== undefined && n !== len) w.report(`must be exactly ${len} characters long, got ${n}`);
      if (minLen !== undefined && n < minLen) {
        w.report(minLen === 1 ? 'must not be empty' : `must be at least ${minLen} characters long, got ${n}`);
      }
      if (maxLen !== undefined && n > maxLen) w.report(`must be at most ${maxLen} characters long, got ${n}`);
    });
  }
  if (lenBytes !== undefined || minBytes !== undefined || maxBytes !== undefined) {
    checks.push((s, w) => {
      const n = Buffer.byteLength(s, 'utf8');
      if (lenBytes !== undefined && n !== lenBytes)
        w.report(`must be exactly ${lenBytes} bytes long, got ${n}`);
      if (minBytes !== undefined && n < minBytes)
        w.report(`must be at least ${minBytes} bytes long, got ${n}`);
      if (maxBytes !== undefined && n > maxBytes)
        w.report(`must be at most ${maxBytes} bytes long, got ${n}`);
    });
  }
  if (pattern !== undefined) {
    const re = RE2JS.compile(pattern);
    checks.push((s, w) => {
      if (!re.test(s))
        w.report(`must match the pattern ${JSON.stringify(pattern)}, got ${JSON.stringify(s)}`);
    });
  }
  if (prefix !== undefined)
    checks.push((s, w) => !s.startsWith(prefix) && w.report(`must start with "${prefix}"`));
  if (suffix !== undefined)
    checks.push((s, w) => !s.endsWith(suffix) && w.report(`must end with "${suffix}"`));
  if (contains !== undefined)
    checks.push((s, w) => !s.includes(contains) && w.report(`must contain "${contains}"`));
  if (notContains !== undefined) {
    checks.push((s, w) => s.includes(notContains) && w.report(`must not contain "${notContains}"`));
  }
  if (inList.length > 0) {
    checks.push(
      (s, w) => !inList.includes(s) && w.report(`must be one of ${JSON.stringify(inList)}, got "${s}"`),
    );
  }
  if (notIn.length > 0) checks.push((s, w) => notIn.includes(s) && w.report(`must not be "${s}"`));

  const wellKnown = wellKnownStringCheck(rules, strict);
  if (wellKnown) checks.push(wellKnown);

  if (checks.length === 0) return undefined;
  const ignoreEmpty = rules.ignore_empty === true;
  return (value, w) => {
    const s = value as string;
    if (ignoreEmpty && s === '') return;
    for (let i = 0; i < checks.length; i++) checks[i]!(s, w);
  };
}

function wellKnownStringCheck(
  rules: RuleFields,
  strict: boolean,
): ((s: string, w: Walker) => void) | undefined {
  const describe = (what: string) => (ok: (s: string) => boolean) => (s: string, w: Walker) => {
    if (!ok(s)) w.report(`must be ${what}, got ${JSON.stringify(s)}`);
  };
  if (rules.hostname) return describe('a valid hostname')(isHostname);
  if (rules.ip) return describe('a valid IP address')((s) => isIpAddress(s));
  if (rules.ipv4) return describe('a valid IPv4 address')((s) => isIpAddress(s, 4));
  if (rules.ipv6) return describe('a valid IPv6 address')((s) => isIpAddress(s, 6));
  if (rules.email) return describe('a valid email address')(isEmail);
  if (rules.uri) return describe('an absolute URI')(isUri);
  if (rules.uri_ref) return describe('a URI reference')(isUriRef);
  if (rules.address) return describe('a hostname or IP address')((s) => isHostname(s) || isIpAddress(s));
  if (rules.uuid) return describe('a UUID')(isUuid);
  const loosely = 'without NUL, CR or LF';
  if (rules.well_known_regex === knownRegex.HTTP_HEADER_NAME) {
    const what = strict ? 'of RFC 7230 token characters' : loosely;
    return describe(`an HTTP header name ${what}`)((s) => isHttpHeaderName(s, strict));
  }
  if (rules.well_known_regex === knownRegex.HTTP_HEADER_VALUE) {
    const what = strict ? 'without control characters' : loosely;
    return describe(`an HTTP header value ${what}`)((s) => isHttpHeaderValue(s, strict));
  }
  return undefined;
}

function toNumber(v: unknown): number | undefined {
  return v === undefined ? undefined : Number(v);
}

// ------------------------------------------------------------------ bytes

function bytesCheck(rules: RuleFields): ValueCheck | undefined {
  const len = toNumber(rules.len);
  const minLen = toNumber(rules.min_len);
  const maxLen = toNumber(rules.max_len);
  const pattern = rules.pattern as string | undefined;
  const re = pattern === undefined ? undefined : RE2JS.compile(pattern);
  const ipLength = rules.ip ? [4, 16] : rules.ipv4 ? [4] : rules.ipv6 ? [16] : undefined;
  if (len === undefined && minLen === undefined && maxLen === undefined && !re && !ipLength) return undefined;
  const ignoreEmpty = rules.ignore_empty === true;
  return (value, w) => {
    const b = value as Uint8Array;
    if (ignoreEmpty && b.length === 0) return;
    if (len !== undefined && b.length !== len) w.report(`must be exactly ${len} bytes, got ${b.length}`);
    if (minLen !== undefined && b.length < minLen)
      w.report(`must be at least ${minLen} bytes, got ${b.length}`);
    if (maxLen !== undefined && b.length > maxLen)
      w.report(`must be at most ${maxLen} bytes, got ${b.length}`);
    if (re && !re.test(b)) w.report(`must match the pattern ${JSON.stringify(pattern)}`);
    if (ipLength && !ipLength.includes(b.length))
      w.report(`must be an IP address in ${ipLength.join(' or ')} bytes`);
  };
}

// ------------------------------------------------------------------ enums

function enumCheck(rules: RuleFields, desc: DescEnum): ValueCheck | undefined {
  const name = (n: number) => desc.values.find((v) => v.number === n)?.name ?? String(n);
  const numeric = numericCheck({ const: rules.const, in: rules.in, not_in: rules.not_in }, (v) =>
    name(Number(v)),
  );
  if (rules.defined_only !== true) return numeric;
  const defined = new Set(desc.values.map((v) => v.number));
  return all([
    (v, w) => {
      if (!defined.has(v as number)) w.report(`${v} is not a defined value of ${desc.typeName}`);
    },
    numeric,
  ]);
}

// ------------------------------------------------------------------ durations, timestamps, any

interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

function nanosOf(d: SecondsNanos): bigint {
  return d.seconds * 1_000_000_000n + BigInt(d.nanos);
}

function showNanos(n: bigint): string {
  const seconds = Number(n) / 1e9;
  return `${seconds}s`;
}

function durationCheck(rules: RuleFields, kind: 'duration' | 'timestamp'): ValueCheck | undefined {
  const asNanos = (key: string) =>
    rules[key] === undefined ? undefined : nanosOf(rules[key] as SecondsNanos);
  const asNanosList = (key: string) => ((rules[key] as SecondsNanos[] | undefined) ?? []).map(nanosOf);
  const numeric = numericCheck(
    {
      const: asNanos('const'),
      gt: asNanos('gt'),
      gte: asNanos('gte'),
      lt: asNanos('lt'),
      lte: asNanos('lte'),
      in: asNanosList('in'),
      not_in: asNanosList('not_in'),
    },
    (v) =>
      kind === 'duration' ? showNanos(BigInt(v)) : new Date(Number(BigInt(v) / 1_000_000n)).toISOString(),
  );
  if (!numeric) return undefined;
  return (value, w) => numeric(nanosOf(value as SecondsNanos), w);
}

function anyCheck(rules: RuleFields): ValueCheck | undefined {
  const inList = (rules.in as string[] | undefined) ?? [];
  const notIn = (rules.not_in as string[] | undefined) ?? [];
  if (inList.length === 0 && notIn.length === 0) return undefined;
  return (value, w) => {
    const typeUrl = (value as { typeUrl: string }).typeUrl;
    if (inList.length > 0 && !inList.includes(typeUrl)) {
      w.report(`"@type" must be one of ${JSON.stringify(inList)}, got "${typeUrl}"`);
    }
    if (notIn.includes(typeUrl)) w.report(`"@type" must not be "${typeUrl}"`);
  };
}
