import type { IRHttpFilter, ResourceRef } from '@attache/core';
import type { AmbassadorModuleConfig } from '../schemas/module.js';

/** Emissary documents Envoy's v2 gzip names; Envoy v3 spells them differently. */
const v3Level: Record<string, string> = {
  DEFAULT: 'DEFAULT_COMPRESSION',
  BEST: 'BEST_COMPRESSION',
  SPEED: 'BEST_SPEED',
};
const v3Strategy: Record<string, string> = { DEFAULT: 'DEFAULT_STRATEGY', HUFFMAN: 'HUFFMAN_ONLY' };

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/**
 * Module `gzip` → the compressor filter with the gzip library, built field
 * for field as Emissary's V3HTTPFilter_gzip does (min_content_length and
 * content_type in the response direction's common_config).
 */
export function gzipFilter(
  config: AmbassadorModuleConfig,
  provenance: ResourceRef[],
): IRHttpFilter | undefined {
  const gzip = config.gzip;
  if (gzip === undefined || gzip.enabled === false) return undefined;
  const level = gzip.compression_level;
  const strategy = gzip.compression_strategy;
  const commonConfig = defined({
    min_content_length: gzip.min_content_length,
    content_type: gzip.content_type && gzip.content_type.length > 0 ? [...gzip.content_type] : undefined,
  });
  const response = defined({
    common_config: Object.keys(commonConfig).length > 0 ? commonConfig : undefined,
    disable_on_etag_header: gzip.disable_on_etag_header,
    remove_accept_encoding_header: gzip.remove_accept_encoding_header,
  });
  return {
    slot: 'compressor',
    name: 'envoy.filters.http.compressor',
    typedConfig: defined({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor',
      compressor_library: {
        name: 'envoy.compression.gzip.compressor',
        typed_config: defined({
          '@type': 'type.googleapis.com/envoy.extensions.compression.gzip.compressor.v3.Gzip',
          memory_level: gzip.memory_level,
          compression_level: level === undefined ? undefined : (v3Level[level] ?? level),
          compression_strategy: strategy === undefined ? undefined : (v3Strategy[strategy] ?? strategy),
          window_bits: gzip.window_bits,
        }),
      },
      response_direction_config: Object.keys(response).length > 0 ? response : undefined,
    }),
    provenance,
  };
}
