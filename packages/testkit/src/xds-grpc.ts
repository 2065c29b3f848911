import { contentHash, TypeUrl, type XdsResource, type XdsResources } from '@attache/core';

/**
 * What gRPC's own xDS client (grpc-js-xds, and every gRPC "proxyless" client)
 * needs, built from compiled resources. gRPC does not open sockets for
 * listeners: it resolves `xds:///<name>` to an *API listener* named exactly
 * that, whose HttpConnectionManager fetches its routes over RDS and whose last
 * HTTP filter is the router. It only load-balances EDS (or aggregate/logical
 * DNS) clusters, so each compiled cluster with an inline `load_assignment`
 * becomes an EDS cluster fetched over ADS plus a ClusterLoadAssignment, whose
 * locality groups gRPC requires to carry a locality and a weight. The
 * RouteConfiguration is served unchanged, and provenance is carried over, so
 * a NACK still maps to the input resources.
 */
export function grpcClientResources(
  compiled: XdsResources,
  options: { target: string; routeConfigName?: string },
): XdsResource[] {
  const routes = compiled[TypeUrl.RouteConfiguration];
  const routeConfigName = options.routeConfigName ?? routes[0]?.name;
  if (!routeConfigName)
    throw new Error('grpcClientResources: the compiled resources have no RouteConfiguration');
  const out: XdsResource[] = [
    hashed(
      grpcApiListener(options.target, routeConfigName),
      routes.find((r) => r.name === routeConfigName)?.provenance ?? [],
    ),
  ];
  out.push(...routes, ...edsClusterResources(compiled[TypeUrl.Cluster]));
  return out;
}

/**
 * Compiled clusters with inline endpoints turned into EDS clusters fetched
 * over ADS plus one ClusterLoadAssignment each (with a locality and a weight,
 * which gRPC requires): the shape endpoint-only updates travel in.
 */
export function edsClusterResources(clusters: readonly XdsResource[]): XdsResource[] {
  const out: XdsResource[] = [];
  for (const cluster of clusters) {
    const {
      load_assignment,
      loadAssignment,
      type: _type,
      dns_lookup_family: _dns,
      dnsLookupFamily: _dns2,
      ...rest
    } = cluster.resource as Record<string, unknown>;
    const assignment = (load_assignment ?? loadAssignment) as Record<string, unknown> | undefined;
    out.push(
      hashed(
        { ...rest, type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } } },
        cluster.provenance,
      ),
    );
    if (assignment) {
      out.push(
        hashed(
          {
            ...assignment,
            '@type': TypeUrl.ClusterLoadAssignment,
            cluster_name: cluster.name,
            endpoints: localityGroups(assignment).map((group) => ({
              locality: {},
              load_balancing_weight: 1,
              ...group,
            })),
          },
          cluster.provenance,
        ),
      );
    }
  }
  return out;
}

/** An API listener for gRPC clients: HttpConnectionManager over RDS (ADS), router last. */
export function grpcApiListener(name: string, routeConfigName: string): Record<string, unknown> {
  return {
    '@type': TypeUrl.Listener,
    name,
    api_listener: {
      api_listener: {
        '@type':
          'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        stat_prefix: name,
        rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
        http_filters: [
          {
            name: 'router',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
          },
        ],
      },
    },
  };
}

function localityGroups(assignment: Record<string, unknown>): Record<string, unknown>[] {
  const groups = assignment.endpoints;
  return Array.isArray(groups) ? (groups as Record<string, unknown>[]) : [];
}

function hashed(json: Record<string, unknown>, provenance: XdsResource['provenance']): XdsResource {
  const name = (json.name ?? json.cluster_name) as string;
  return {
    typeUrl: json['@type'] as XdsResource['typeUrl'],
    name,
    resource: json,
    version: contentHash(json),
    provenance,
  };
}
