import { compareStrings, type IRRouteConfig, TypeUrl } from '@attache/core';
import { defined, type LoweredResource, type ResourcePart, sortedStrings, typeUrl } from './common.js';
import { lowerRoute, typedPerFilterConfig } from './route.js';

/**
 * IR route config → RouteConfiguration. Virtual hosts are sorted by name
 * (Envoy selects them by domain, not position); routes keep their IR order,
 * because Envoy takes the first route that matches. Each route is a part of
 * its own, so one invalid route is dropped and blamed without the others.
 */
export function lowerRouteConfig(config: IRRouteConfig): LoweredResource {
  const parts: ResourcePart[] = [];
  const virtualHosts = [...config.virtualHosts]
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((vh, v) => {
      parts.push({
        pointer: `/virtual_hosts/${v}`,
        label: `virtual host '${vh.name}'`,
        provenance: vh.provenance,
        droppable: false,
      });
      vh.routes.forEach((route, r) => {
        parts.push({
          pointer: `/virtual_hosts/${v}/routes/${r}`,
          label: `route '${route.name}'`,
          provenance: route.provenance,
          droppable: true,
        });
      });
      return defined({
        name: vh.name,
        domains: sortedStrings(vh.domains),
        routes: vh.routes.map(lowerRoute),
        require_tls: vh.requireTls,
        typed_per_filter_config: typedPerFilterConfig(vh.typedPerFilterConfig, vh.cors),
      });
    });
  return {
    typeUrl: TypeUrl.RouteConfiguration,
    name: config.name,
    resource: defined({
      '@type': typeUrl('envoy.config.route.v3.RouteConfiguration'),
      name: config.name,
      virtual_hosts: virtualHosts,
      validate_clusters: config.validateClusters,
    }),
    provenance: config.provenance,
    parts,
  };
}
