import type { IRHttpFilter, ResourceRef } from '@attache/core';

type Json = Record<string, unknown>;

export interface ModuleFilterProblem {
  code: 'GRPC_FIELD_INVALID' | 'GRPC_STATS_SERVICE_INVALID';
  path: string;
  message: string;
}

const grpcWebType = 'type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb';
const bridgeType = 'type.googleapis.com/envoy.extensions.filters.http.grpc_http1_bridge.v3.Config';
const statsType = 'type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig';

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function flag(config: Json, key: string, problems: ModuleFilterProblem[]): boolean {
  const value = config[key];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  problems.push({
    code: 'GRPC_FIELD_INVALID',
    path: `/spec/config/${key}`,
    message: `spec.config.${key} must be true or false; it is ignored`,
  });
  return false;
}

/**
 * Module `grpc_stats` → the grpc_stats filter config, as Emissary builds it:
 * `services` wins over `all_methods` (Envoy takes one of the two), upstream
 * stats are off unless asked for. Unlike Emissary, a service without
 * method_names is left out (Envoy would refuse every listener).
 */
export function grpcStatsConfig(stats: unknown, problems: ModuleFilterProblem[]): Json | undefined {
  if (stats === undefined || stats === null) return undefined;
  if (!isRecord(stats)) {
    problems.push({
      code: 'GRPC_FIELD_INVALID',
      path: '/spec/config/grpc_stats',
      message:
        'spec.config.grpc_stats must be an object ({all_methods, services, upstream_stats}); it is ignored',
    });
    return undefined;
  }
  let methods: Json;
  if (stats.services !== undefined) {
    const services: Json[] = [];
    if (Array.isArray(stats.services)) {
      stats.services.forEach((s, i) => {
        const path = `/spec/config/grpc_stats/services/${i}`;
        const names = isRecord(s) ? s.method_names : undefined;
        if (!isRecord(s) || typeof s.name !== 'string' || s.name === '') {
          problems.push({
            code: 'GRPC_FIELD_INVALID',
            path,
            message: 'a grpc_stats service needs a name; it is left out',
          });
        } else if (
          !Array.isArray(names) ||
          names.length === 0 ||
          names.some((n) => typeof n !== 'string' || n === '')
        ) {
          problems.push({
            code: 'GRPC_STATS_SERVICE_INVALID',
            path: `${path}/method_names`,
            message: `grpc_stats service ${s.name} has no method_names; Envoy refuses a service without methods (and with it every listener), so it is left out of the allowlist. List its methods, or use all_methods: true`,
          });
        } else {
          services.push({ name: s.name, method_names: [...(names as string[])] });
        }
      });
    } else {
      problems.push({
        code: 'GRPC_FIELD_INVALID',
        path: '/spec/config/grpc_stats/services',
        message: 'spec.config.grpc_stats.services must be a list of {name, method_names}; it is ignored',
      });
    }
    methods =
      services.length > 0
        ? { individual_method_stats_allowlist: { services } }
        : { stats_for_all_methods: false };
  } else {
    methods = { stats_for_all_methods: stats.all_methods === true };
  }
  return { '@type': statsType, ...methods, enable_upstream_stats: stats.upstream_stats === true };
}

/**
 * The Module's gRPC filters, each in its slot (the slot table in
 * @attache/envoy orders them as Emissary does: grpc_http1_bridge, grpc_web,
 * grpc_stats, before cors): `enable_grpc_http11_bridge`, `enable_grpc_web`, `grpc_stats`.
 */
export function moduleGrpcFilters(
  config: Readonly<Json>,
  ref: ResourceRef,
): { filters: IRHttpFilter[]; problems: ModuleFilterProblem[] } {
  const problems: ModuleFilterProblem[] = [];
  const provenance = [ref];
  const filters: IRHttpFilter[] = [];
  if (flag(config, 'enable_grpc_http11_bridge', problems)) {
    filters.push({
      slot: 'grpc_http1_bridge',
      name: 'envoy.filters.http.grpc_http1_bridge',
      typedConfig: { '@type': bridgeType },
      provenance,
    });
  }
  if (flag(config, 'enable_grpc_web', problems)) {
    filters.push({
      slot: 'grpc_web',
      name: 'envoy.filters.http.grpc_web',
      typedConfig: { '@type': grpcWebType },
      provenance,
    });
  }
  const stats = grpcStatsConfig(config.grpc_stats, problems);
  if (stats)
    filters.push({
      slot: 'grpc_stats',
      name: 'envoy.filters.http.grpc_stats',
      typedConfig: stats,
      provenance,
    });
  return { filters, problems };
}
