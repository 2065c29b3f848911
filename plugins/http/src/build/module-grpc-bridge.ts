import type { IRHttpFilter, ResourceRef } from '@attache/core';
import type { AmbassadorModuleConfig } from '../schemas/module.js';

/** Module `enable_grpc_http11_bridge` → the grpc_http1_bridge filter (empty config, as Emissary). */
export function grpcHttp1BridgeFilter(
  config: AmbassadorModuleConfig,
  provenance: ResourceRef[],
): IRHttpFilter | undefined {
  if (!config.enable_grpc_http11_bridge) return undefined;
  return {
    slot: 'grpc_http1_bridge',
    name: 'envoy.filters.http.grpc_http1_bridge',
    typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.grpc_http1_bridge.v3.Config' },
    provenance,
  };
}
