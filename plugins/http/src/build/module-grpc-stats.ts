import type { IRHttpFilter, ResourceRef } from '@attache/core';
import type { AmbassadorModuleConfig } from '../schemas/module.js';

/**
 * Module `grpc_stats` → the grpc_stats filter, as Emissary builds it:
 * `services` wins over `all_methods` (Envoy takes one of the two), and
 * upstream stats are off unless asked for.
 */
export function grpcStatsFilter(
  config: AmbassadorModuleConfig,
  provenance: ResourceRef[],
): IRHttpFilter | undefined {
  const stats = config.grpc_stats;
  if (stats === undefined) return undefined;
  const methods =
    stats.services !== undefined
      ? {
          individual_method_stats_allowlist: {
            services: stats.services.map((s) => ({ name: s.name, method_names: [...s.method_names] })),
          },
        }
      : { stats_for_all_methods: stats.all_methods ?? false };
  return {
    slot: 'grpc_stats',
    name: 'envoy.filters.http.grpc_stats',
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig',
      ...methods,
      enable_upstream_stats: stats.upstream_stats ?? false,
    },
    provenance,
  };
}
