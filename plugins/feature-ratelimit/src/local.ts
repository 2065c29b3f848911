import { pointerSegment } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import type { LabelProblem } from './labels.js';

/**
 * Local rate limiting (beyond Emissary): a token bucket in each Envoy, per
 * Mapping (`Mapping.spec.local_rate_limit`) or per Host
 * (`Host.spec.local_rate_limit`), with Envoy's `envoy.filters.http.local_ratelimit`.
 * A request takes a token; with none left it gets `status_code` (429) at once,
 * without a round trip to any service. A Mapping's bucket wins over its Host's.
 */
export const LocalRateLimitSpec = Type.Object(
  {
    max_tokens: Type.Integer({ minimum: 1, description: 'Bucket size: the burst allowed at once.' }),
    tokens_per_fill: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Tokens added every fill interval (default: max_tokens).' }),
    ),
    fill_interval_ms: Type.Optional(
      Type.Integer({
        minimum: 50,
        description: 'How often tokens are added, in ms (default 1000; at least 50).',
      }),
    ),
    status_code: Type.Optional(
      Type.Integer({ minimum: 400, maximum: 599, description: 'Status of a refused request (default 429).' }),
    ),
    response_headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Headers added to refused responses, e.g. {x-local-rate-limited: "true"}.',
      }),
    ),
  },
  { additionalProperties: false, description: 'A local token-bucket rate limit (Attaché).' },
);
export type LocalRateLimitSpec = Static<typeof LocalRateLimitSpec>;

/** 4xx/5xx codes of envoy.type.v3.StatusCode (Envoy refuses others); a test keeps this equal to the proto. */
export const envoyStatusNames: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  402: 'PaymentRequired',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  407: 'ProxyAuthenticationRequired',
  408: 'RequestTimeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'LengthRequired',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  414: 'URITooLong',
  415: 'UnsupportedMediaType',
  416: 'RangeNotSatisfiable',
  417: 'ExpectationFailed',
  421: 'MisdirectedRequest',
  422: 'UnprocessableEntity',
  423: 'Locked',
  424: 'FailedDependency',
  426: 'UpgradeRequired',
  428: 'PreconditionRequired',
  429: 'TooManyRequests',
  431: 'RequestHeaderFieldsTooLarge',
  500: 'InternalServerError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
  505: 'HTTPVersionNotSupported',
  506: 'VariantAlsoNegotiates',
  507: 'InsufficientStorage',
  508: 'LoopDetected',
  510: 'NotExtended',
  511: 'NetworkAuthenticationRequired',
};

export const localRateLimitFilterName = 'envoy.filters.http.local_ratelimit';
export const localRateLimitType =
  'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';

export interface LocalBucket {
  maxTokens: number;
  tokensPerFill: number;
  fillIntervalMs: number;
  statusCode: number;
  responseHeaders: Array<[string, string]>;
}

const tokenName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const badValue = /[\u0000\r\n]/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

const uint32Max = 4294967295;
/** Envoy refuses durations of 9223372036 s or more. */
export const maxDurationMs = 9_223_372_035_999;

/**
 * Reads `local_rate_limit` at `path` (e.g. '/spec/local_rate_limit'). Undefined
 * bucket with problems: the value is wrong and no local limit applies there.
 */
export function parseLocalRateLimit(
  raw: unknown,
  path: string,
): { bucket?: LocalBucket; problems: LabelProblem[] } {
  const problems: LabelProblem[] = [];
  const bad = (at: string, message: string) =>
    problems.push({ code: 'RATELIMIT_LOCAL_INVALID', path: at, message });
  if (!isRecord(raw)) {
    bad(
      path,
      'local_rate_limit must be {max_tokens, tokens_per_fill?, fill_interval_ms?, status_code?, response_headers?}',
    );
    return { problems };
  }
  const known = ['max_tokens', 'tokens_per_fill', 'fill_interval_ms', 'status_code', 'response_headers'];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key))
      bad(
        `${path}/${pointerSegment(key)}`,
        `local_rate_limit has no field '${key}' (it has ${known.join(', ')})`,
      );
  }
  if (!integerIn(raw.max_tokens, 1, uint32Max)) {
    bad(
      `${path}/max_tokens`,
      `max_tokens must be an integer from 1 to ${uint32Max}, got ${JSON.stringify(raw.max_tokens) ?? 'nothing'}`,
    );
  }
  if (raw.tokens_per_fill !== undefined && !integerIn(raw.tokens_per_fill, 1, uint32Max)) {
    bad(`${path}/tokens_per_fill`, `tokens_per_fill must be an integer from 1 to ${uint32Max}`);
  }
  if (raw.fill_interval_ms !== undefined && !integerIn(raw.fill_interval_ms, 50, maxDurationMs)) {
    bad(
      `${path}/fill_interval_ms`,
      `fill_interval_ms must be an integer from 50 (Envoy refuses a token bucket that refills faster) to ${maxDurationMs} (Envoy's longest duration), got ${JSON.stringify(raw.fill_interval_ms)}`,
    );
  }
  if (
    raw.status_code !== undefined &&
    !(typeof raw.status_code === 'number' && envoyStatusNames[raw.status_code])
  ) {
    bad(
      `${path}/status_code`,
      `status_code must be a 4xx or 5xx status Envoy knows (${Object.keys(envoyStatusNames).join(', ')}), got ${JSON.stringify(raw.status_code)}`,
    );
  }
  const headers: Array<[string, string]> = [];
  if (raw.response_headers !== undefined) {
    if (!isRecord(raw.response_headers)) {
      bad(`${path}/response_headers`, 'response_headers must map header names to values');
    } else {
      for (const [name, value] of Object.entries(raw.response_headers)) {
        const at = `${path}/response_headers/${pointerSegment(name)}`;
        if (!tokenName.test(name)) bad(at, `'${name}' is not an HTTP header name`);
        else if (typeof value !== 'string' || badValue.test(value)) {
          bad(at, `the value of ${name} must be a string without CR, LF or NUL`);
        } else headers.push([name.toLowerCase(), value]);
      }
    }
  }
  if (problems.some((p) => p.code === 'RATELIMIT_LOCAL_INVALID')) return { problems };
  const maxTokens = raw.max_tokens as number;
  return {
    bucket: {
      maxTokens,
      tokensPerFill: (raw.tokens_per_fill as number | undefined) ?? maxTokens,
      fillIntervalMs: (raw.fill_interval_ms as number | undefined) ?? 1000,
      statusCode: (raw.status_code as number | undefined) ?? 429,
      responseHeaders: headers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    },
    problems,
  };
}

function duration(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

const fullyOn = (runtimeKey: string) => ({
  runtime_key: runtimeKey,
  default_value: { numerator: 100, denominator: 'HUNDRED' },
});

/** The per-route (or per-virtual-host) LocalRateLimit config of one bucket. */
export function localRateLimitPerRoute(bucket: LocalBucket, statPrefix: string): Record<string, unknown> {
  return {
    '@type': localRateLimitType,
    stat_prefix: statPrefix,
    token_bucket: {
      max_tokens: bucket.maxTokens,
      tokens_per_fill: bucket.tokensPerFill,
      fill_interval: duration(bucket.fillIntervalMs),
    },
    filter_enabled: fullyOn('local_rate_limit_enabled'),
    filter_enforced: fullyOn('local_rate_limit_enforced'),
    ...(bucket.statusCode !== 429 ? { status: { code: envoyStatusNames[bucket.statusCode] } } : {}),
    ...(bucket.responseHeaders.length > 0
      ? {
          response_headers_to_add: bucket.responseHeaders.map(([key, value]) => ({
            // Envoy reads header values as format strings: a literal % is written %%.
            header: { key, value: value.replace(/%/g, '%%') },
            append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
          })),
        }
      : {}),
  };
}

/** The HCM's filter: no bucket of its own, so it limits only where a route or Host sets one. */
export function localRateLimitFilterConfig(): Record<string, unknown> {
  return { '@type': localRateLimitType, stat_prefix: 'local_rate_limit' };
}

/** Stat prefix for a resource's bucket: `<kind>_<namespace>_<name>` with dots made underscores. */
export function bucketStatPrefix(kind: string, namespace: string | undefined, name: string): string {
  return `${kind.toLowerCase()}_${namespace ?? 'default'}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}
