import { type TUnsafe, Type } from '@sinclair/typebox';

/**
 * Building blocks shared by the resource schemas. The schemas double as the
 * source of the Kubernetes CRD OpenAPI schemas, so they stay structural:
 * every property has one type, and free-form objects say so with
 * `x-kubernetes-preserve-unknown-fields` instead of an untyped `{}`.
 */

export const FreeForm = (description?: string) =>
  Type.Object(
    {},
    {
      additionalProperties: true,
      'x-kubernetes-preserve-unknown-fields': true,
      ...(description ? { description } : {}),
    },
  );

/** Emissary accepts a single string or a list here; the CRD marks it as preserved, we check both forms. */
export const StringOrList = (description: string) =>
  Type.Union([Type.String(), Type.Array(Type.String())], {
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });

/** A map whose values are a string or an object ({value, append}) — header additions. */
export const HeaderAdditions = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { description, 'x-kubernetes-preserve-unknown-fields': true });

export const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description });

/**
 * The largest duration Envoy accepts, in milliseconds: it refuses 9,223,372,036 s and
 * more (its millisecond arithmetic is int64 nanoseconds), whatever protobuf allows.
 */
export const envoyMaxMillis = 9_223_372_035_000;

export const Millis = (description: string) =>
  Type.Integer({ minimum: 0, maximum: envoyMaxMillis, description });

/** An Envoy uint32 (counts, thresholds): larger numbers would be refused by Envoy, so the schema says so first. */
export const Uint32 = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: 4294967295, ...(description ? { description } : {}) });

/**
 * A duration as Attaché converts it for Envoy: a number and one unit (ms, s, m or h), e.g. "0.5s", "250ms".
 * Whole digits are bounded per unit (12 for ms, 9 for s, 7 for m, 6 for h: at most about
 * 114 years), so no duration can reach Envoy's limit (envoyMaxMillis).
 */
export const Duration = (description: string) =>
  Type.String({
    pattern:
      '^\\s*([0-9]{1,12}(\\.[0-9]+)?ms|[0-9]{1,9}(\\.[0-9]+)?s|[0-9]{1,7}(\\.[0-9]+)?m|[0-9]{1,6}(\\.[0-9]+)?h)\\s*$',
    description,
  });

export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(StringMap('Labels that must all be present with these values.')),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object({
          key: Type.String(),
          operator: StringEnum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: Type.Optional(Type.Array(Type.String())),
        }),
      ),
    ),
  },
  { description: 'A Kubernetes label selector.' },
);

export const Metadata = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    namespace: Type.Optional(Type.String()),
    labels: Type.Optional(StringMap('Object labels.')),
    annotations: Type.Optional(StringMap('Object annotations.')),
  },
  { additionalProperties: true },
);

export const AmbassadorId = StringOrList(
  'Which Attaché/Emissary instances use this resource (default: the instance whose id is "default").',
);

export const CircuitBreaker = Type.Object({
  priority: Type.Optional(StringEnum(['default', 'high'])),
  max_connections: Type.Optional(Uint32()),
  max_pending_requests: Type.Optional(Uint32()),
  max_requests: Type.Optional(Uint32()),
  max_retries: Type.Optional(Uint32()),
});

export const LoadBalancer = Type.Object({
  policy: StringEnum(['round_robin', 'least_request', 'ring_hash', 'maglev']),
  cookie: Type.Optional(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      path: Type.Optional(Type.String()),
      ttl: Type.Optional(Duration('Cookie lifetime, e.g. "1h"; absent: a session cookie.')),
    }),
  ),
  header: Type.Optional(Type.String({ minLength: 1 })),
  source_ip: Type.Optional(Type.Boolean()),
});

export const RetryPolicy = Type.Object({
  retry_on: Type.Optional(
    StringEnum([
      '5xx',
      'gateway-error',
      'connect-failure',
      'retriable-4xx',
      'refused-stream',
      'retriable-status-codes',
      'reset',
      'envoy-ratelimited',
      'retriable-headers',
      'http3-post-connect-failure',
    ]),
  ),
  num_retries: Type.Optional(Uint32()),
  per_try_timeout: Type.Optional(Duration('A duration such as "0.5s" or "250ms".')),
  retriable_status_codes: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }))),
});

export const Cors = Type.Object({
  origins: Type.Optional(StringOrList('Allowed origins; "*" allows any.')),
  methods: Type.Optional(StringOrList('Allowed methods.')),
  headers: Type.Optional(StringOrList('Allowed request headers.')),
  exposed_headers: Type.Optional(StringOrList('Response headers the browser may read.')),
  credentials: Type.Optional(Type.Boolean()),
  max_age: Type.Optional(Type.String()),
});

export const Keepalive = Type.Object({
  time: Type.Optional(Uint32('Idle seconds before the first probe.')),
  idle_time: Type.Optional(Uint32('Alias of time (the CRD spelling, which Emissary ignores).')),
  interval: Type.Optional(Uint32()),
  probes: Type.Optional(Uint32()),
});

/**
 * A string restricted to a list. TypeBox's checker ignores `enum`, so the
 * same list is also given as an anchored `pattern`, which it does check; the
 * CRD generator keeps both.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) {
  const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return Type.String({
    ...options,
    enum: [...values],
    pattern: `^(${escaped.join('|')})$`,
  }) as unknown as TUnsafe<T[number]>;
}

/**
 * Emissary's `error_response_overrides` entry (Module and Mapping alike). The
 * rules the schema cannot say without dropping the whole resource (status
 * range, exactly one body format) are diagnostics on the entry instead.
 */
export const ErrorResponseOverride = Type.Object(
  {
    on_status_code: Type.Optional(Type.Integer({ description: 'Status code to rewrite, 400 to 599.' })),
    body: Type.Optional(
      Type.Object(
        {
          text_format: Type.Optional(
            Type.String({ description: 'New body text (Envoy format operators allowed).' }),
          ),
          json_format: Type.Optional(
            Type.Record(Type.String(), Type.Unknown(), {
              description: 'New body as a JSON object of string values (Envoy format operators allowed).',
              'x-kubernetes-preserve-unknown-fields': true,
            }),
          ),
          text_format_source: Type.Optional(
            Type.Object(
              { filename: Type.String({ minLength: 1 }) },
              { description: 'New body read from this file in the Envoy container.' },
            ),
          ),
          content_type: Type.Optional(Type.String({ description: 'Content-Type of the new body.' })),
        },
        { description: 'Exactly one of text_format, json_format or text_format_source.' },
      ),
    ),
  },
  { additionalProperties: true },
);

export const ErrorResponseOverrides = (description: string) =>
  Type.Array(ErrorResponseOverride, { description });
