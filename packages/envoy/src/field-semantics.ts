import { luaSyntaxProblem, re2ProgramSize } from '@attache/envoy-facts';
import type { DescField } from '@bufbuild/protobuf';
import { fieldSemantics, messageSemantics, messageSemanticsJson } from './envoy-semantics.js';
import { protobuf } from './protobuf-runtime.js';
import { messageDesc } from './registry.js';
import type { ValueCheck, Walker } from './validate-walker.js';

/**
 * Envoy refuses every duration of 9,223,372,036 s or more ("Invalid duration: Duration
 * out-of-range"; measured with Envoy 1.39.3 on route, idle, connect, per-try and cluster
 * idle timeouts): it works in int64 nanoseconds, far below protobuf's own limit of
 * 315,576,000,000 s, which is all the protos say.
 */
export const envoyMaxDurationSeconds = 9223372035n;

const durationInRange: ValueCheck = (value, w) => {
  const seconds = (value as { seconds?: unknown } | undefined)?.seconds;
  if (
    typeof seconds === 'bigint' &&
    (seconds > envoyMaxDurationSeconds || seconds < -envoyMaxDurationSeconds)
  ) {
    w.report(`is ${seconds} s: Envoy refuses durations of 9223372036 s or more`);
  }
};

/** The load-time check of a field (envoy-semantics.ts), else the one every field of its type gets (Duration). */
export function semanticOf(field: DescField): ValueCheck | undefined {
  return (
    fieldSemantics[`${field.parent.typeName}.${field.name}`] ??
    (field.message?.typeName === 'google.protobuf.Duration' ? durationInRange : undefined)
  );
}

/** Envoy's limit when a regex matcher sets no max_program_size (its runtime re2.max_program_size.error_level). */
const envoyDefaultMaxProgramSize = 100;

function programSizeProblem(regex: unknown, configured: unknown): string | undefined {
  if (typeof regex !== 'string' || regex === '') return undefined;
  const limit = typeof configured === 'number' ? configured : envoyDefaultMaxProgramSize;
  const size = re2ProgramSize(regex);
  if (size === Number.POSITIVE_INFINITY)
    return "escapes a character above U+00FF, which Envoy's RE2 (Latin-1) cannot compile";
  if (size !== undefined && size > limit)
    return `has an RE2 program size of ${size} > max program size of ${limit}`;
  return undefined;
}

/**
 * Envoy compiles every regex matcher and refuses the whole update when its RE2 program is
 * larger than google_re2.max_program_size (or 100); the size is measured as Envoy does
 * (regex-program-size.ts, the same file as the http plugin's copy).
 */
function regexMatcherChecks(message: unknown, w: Walker): void {
  const record = message as {
    regex?: unknown;
    engineType?: { case?: string; value?: { maxProgramSize?: unknown } };
  };
  const engine = record.engineType?.case === 'googleRe2' ? record.engineType.value : undefined;
  const problem = programSizeProblem(record.regex, engine?.maxProgramSize);
  if (problem) w.reportAt('regex', problem);
}

function regexMatcherChecksJson(json: Record<string, unknown>): boolean {
  const engine = (json.google_re2 ?? json.googleRe2) as Record<string, unknown> | undefined;
  const size = engine?.max_program_size ?? engine?.maxProgramSize;
  return programSizeProblem(json.regex, typeof size === 'string' ? Number(size) : size) === undefined;
}

/**
 * Envoy's Lua filter loads its inline script when the listener is built and refuses the
 * whole listener update when LuaJIT cannot ("script load error"); lua-check.ts is the
 * same file as the http plugin's copy.
 */
function luaChecks(message: unknown, w: Walker): void {
  const source = (message as { defaultSourceCode?: { specifier?: { case?: string; value?: unknown } } })
    .defaultSourceCode?.specifier;
  if (source?.case !== 'inlineString' || typeof source.value !== 'string') return;
  const problem = luaSyntaxProblem(source.value);
  if (problem) {
    w.segments.push('default_source_code');
    w.reportAt('inline_string', `is not Lua Envoy's LuaJIT can load: ${problem}`);
    w.segments.length -= 1;
  }
}

function luaChecksJson(json: Record<string, unknown>): boolean {
  const source = (json.default_source_code ?? json.defaultSourceCode) as Record<string, unknown> | undefined;
  const inline = source?.inline_string ?? source?.inlineString;
  return typeof inline !== 'string' || luaSyntaxProblem(inline) === undefined;
}

const localRateLimitTypeUrl =
  'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const localRateLimitNoBucket =
  'is a local rate limit without token_bucket: Envoy refuses one per route or per virtual host ("local rate limit token bucket must be set for per filter configs"); only the connection manager\'s own filter config may leave it out';

/**
 * Envoy 1.39.3 refuses a per-route or per-virtual-host local rate limit config
 * without a token bucket (found by tests/e2e-envoy/ratelimit.test.ts); the
 * filter's own config in the connection manager may leave it out, so the check
 * sits on the route and the virtual host, not on the message inside the Any.
 */
function perFilterLocalRateLimitChecks(message: unknown, w: Walker): void {
  const configs = (
    message as { typedPerFilterConfig?: Record<string, { typeUrl?: string; value?: Uint8Array }> }
  ).typedPerFilterConfig;
  if (!configs) return;
  for (const [name, any] of Object.entries(configs)) {
    if (any.typeUrl !== localRateLimitTypeUrl || !any.value) continue;
    const config = protobuf().fromBinary(
      messageDesc('envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit'),
      any.value,
    ) as unknown as { tokenBucket?: unknown };
    if (config.tokenBucket) continue;
    w.segments.push('typed_per_filter_config');
    w.reportAt(name, localRateLimitNoBucket);
    w.segments.pop();
  }
}

function perFilterLocalRateLimitJson(json: Record<string, unknown>): boolean {
  const configs = (json.typed_per_filter_config ?? json.typedPerFilterConfig) as
    | Record<string, Record<string, unknown>>
    | undefined;
  if (!configs) return true;
  for (const config of Object.values(configs)) {
    if (config?.['@type'] === localRateLimitTypeUrl && !(config.token_bucket ?? config.tokenBucket))
      return false;
  }
  return true;
}

const ownMessageSemantics: Readonly<Record<string, (message: unknown, walker: Walker) => void>> = {
  'envoy.config.route.v3.Route': perFilterLocalRateLimitChecks,
  'envoy.config.route.v3.VirtualHost': perFilterLocalRateLimitChecks,
  'envoy.type.matcher.v3.RegexMatcher': regexMatcherChecks,
  'envoy.extensions.filters.http.lua.v3.Lua': luaChecks,
};
const ownMessageSemanticsJson: Readonly<Record<string, (json: Record<string, unknown>) => boolean>> = {
  'envoy.config.route.v3.Route': perFilterLocalRateLimitJson,
  'envoy.config.route.v3.VirtualHost': perFilterLocalRateLimitJson,
  'envoy.type.matcher.v3.RegexMatcher': regexMatcherChecksJson,
  'envoy.extensions.filters.http.lua.v3.Lua': luaChecksJson,
};

/** Envoy's load-time checks of a whole message: envoy-semantics.ts's, the RE2 program size, Lua syntax. */
export function messageSemanticOf(
  typeName: string,
): ((message: unknown, walker: Walker) => void) | undefined {
  return ownMessageSemantics[typeName] ?? messageSemantics[typeName];
}

/** The same over proto3-JSON, for the fast path (true: certainly passes). */
export function messageSemanticJsonOf(
  typeName: string,
): ((json: Record<string, unknown>) => boolean) | undefined {
  return ownMessageSemanticsJson[typeName] ?? messageSemanticsJson[typeName];
}
