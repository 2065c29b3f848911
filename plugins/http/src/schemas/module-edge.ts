import { Type } from '@sinclair/typebox';
import { StringEnum, StringMap } from './common.js';

/**
 * Gzip compression levels: Envoy's v3 names, plus the v2 names (DEFAULT,
 * BEST, SPEED) that Emissary's documentation still shows, so a Module
 * written from those docs keeps working.
 */
export const gzipCompressionLevels = [
  'DEFAULT_COMPRESSION',
  'BEST_SPEED',
  'COMPRESSION_LEVEL_1',
  'COMPRESSION_LEVEL_2',
  'COMPRESSION_LEVEL_3',
  'COMPRESSION_LEVEL_4',
  'COMPRESSION_LEVEL_5',
  'COMPRESSION_LEVEL_6',
  'COMPRESSION_LEVEL_7',
  'COMPRESSION_LEVEL_8',
  'COMPRESSION_LEVEL_9',
  'BEST_COMPRESSION',
  'DEFAULT',
  'BEST',
  'SPEED',
] as const;

/** Gzip strategies: Envoy's v3 names plus the v2 names DEFAULT and HUFFMAN. */
export const gzipCompressionStrategies = [
  'DEFAULT_STRATEGY',
  'FILTERED',
  'HUFFMAN_ONLY',
  'RLE',
  'FIXED',
  'DEFAULT',
  'HUFFMAN',
] as const;

const Gzip = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: 'false turns compression off (any other gzip object turns it on).' }),
    ),
    min_content_length: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4294967295,
        description: 'Smallest response body compressed, in bytes (Envoy default 30).',
      }),
    ),
    content_type: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "Content types compressed (Envoy's default list when unset).",
      }),
    ),
    disable_on_etag_header: Type.Optional(
      Type.Boolean({ description: 'Do not compress responses that carry an ETag.' }),
    ),
    remove_accept_encoding_header: Type.Optional(
      Type.Boolean({ description: 'Remove Accept-Encoding before the upstream sees it.' }),
    ),
    compression_level: Type.Optional(
      StringEnum(gzipCompressionLevels, { description: 'zlib compression level.' }),
    ),
    compression_strategy: Type.Optional(
      StringEnum(gzipCompressionStrategies, { description: 'zlib compression strategy.' }),
    ),
    window_bits: Type.Optional(
      Type.Integer({ minimum: 9, maximum: 15, description: 'zlib window size as a power of two (9-15).' }),
    ),
    memory_level: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 9, description: 'zlib memory level (1-9).' }),
    ),
  },
  { description: 'Compress responses with gzip (the compressor HTTP filter).' },
);

const IpPrincipal = Type.Object(
  {
    peer: Type.Optional(
      Type.String({ description: 'Address or CIDR of the connection peer (direct_remote_ip).' }),
    ),
    remote: Type.Optional(
      Type.String({
        description: 'Address or CIDR of the client as X-Forwarded-For and l7Depth tell it (remote_ip).',
      }),
    ),
  },
  { additionalProperties: true },
);

const Probe = (what: string) =>
  Type.Object(
    {
      enabled: Type.Optional(
        Type.Boolean({
          description: `Answer ${what} (default on; once the key is set, only true keeps it).`,
        }),
      ),
      prefix: Type.Optional(Type.String({ minLength: 1, description: 'Path prefix of the route.' })),
      rewrite: Type.Optional(Type.String({ description: 'No effect: Envoy answers the probe itself.' })),
      service: Type.Optional(Type.String({ description: 'No effect: Envoy answers the probe itself.' })),
    },
    { additionalProperties: true },
  );

/** Module keys that add HTTP filters, access logs and built-in routes. */
export const ModuleEdgeKeys = {
  gzip: Type.Optional(Gzip),
  ip_allow: Type.Optional(
    Type.Array(IpPrincipal, { description: 'Only these peers or remotes may send requests (RBAC ALLOW).' }),
  ),
  ip_deny: Type.Optional(
    Type.Array(IpPrincipal, { description: 'These peers or remotes are refused (RBAC DENY).' }),
  ),
  envoy_log_type: Type.Optional(
    StringEnum(['text', 'json', 'typed_json'], { description: 'Access log format (default text).' }),
  ),
  envoy_log_format: Type.Optional(
    Type.Union([Type.String(), StringMap('JSON access log fields (json, typed_json).')], {
      description: 'Access log format string (text) or field map (json).',
      'x-kubernetes-preserve-unknown-fields': true,
    }),
  ),
  envoy_log_path: Type.Optional(
    Type.String({ minLength: 1, description: 'Access log file (default /dev/fd/1).' }),
  ),
  header_case_overrides: Type.Optional(
    Type.Array(Type.String(), {
      description: 'No effect: Envoy has no per-header casing rules; see docs/reference/module.md.',
    }),
  ),
  diagnostics: Type.Optional(
    Type.Object(
      {
        enabled: Type.Optional(Type.Boolean()),
        allow_non_local: Type.Optional(Type.Boolean()),
      },
      {
        additionalProperties: true,
        description: "No route: Attaché's diagnostics page is on its admin server.",
      },
    ),
  ),
  liveness_probe: Type.Optional(Probe('/ambassador/v0/check_alive')),
  readiness_probe: Type.Optional(Probe('/ambassador/v0/check_ready')),
};
