import { TypeUrl, type XdsTypeUrl, xdsPushOrder } from '@attache/core';
import { virtualHostTypeUrl } from '@attache/envoy';

/** One gRPC service of the xDS API and the types it carries. */
export interface XdsServiceSpec {
  /** Short name used in stream info and metrics. */
  service: string;
  /** Fully-qualified gRPC service name. */
  grpcService: string;
  sotwMethod: string;
  deltaMethod: string;
  types: readonly XdsTypeUrl[];
}

export const xdsServices: readonly XdsServiceSpec[] = [
  {
    service: 'ads',
    grpcService: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
    sotwMethod: 'StreamAggregatedResources',
    deltaMethod: 'DeltaAggregatedResources',
    // VirtualHost (VHDS) too: delta ADS streams get it when the `vhds` option is on.
    types: [...xdsPushOrder, virtualHostTypeUrl as XdsTypeUrl],
  },
  {
    service: 'lds',
    grpcService: 'envoy.service.listener.v3.ListenerDiscoveryService',
    sotwMethod: 'StreamListeners',
    deltaMethod: 'DeltaListeners',
    types: [TypeUrl.Listener],
  },
  {
    service: 'rds',
    grpcService: 'envoy.service.route.v3.RouteDiscoveryService',
    sotwMethod: 'StreamRoutes',
    deltaMethod: 'DeltaRoutes',
    types: [TypeUrl.RouteConfiguration],
  },
  {
    service: 'cds',
    grpcService: 'envoy.service.cluster.v3.ClusterDiscoveryService',
    sotwMethod: 'StreamClusters',
    deltaMethod: 'DeltaClusters',
    types: [TypeUrl.Cluster],
  },
  {
    service: 'eds',
    grpcService: 'envoy.service.endpoint.v3.EndpointDiscoveryService',
    sotwMethod: 'StreamEndpoints',
    deltaMethod: 'DeltaEndpoints',
    types: [TypeUrl.ClusterLoadAssignment],
  },
  {
    service: 'sds',
    grpcService: 'envoy.service.secret.v3.SecretDiscoveryService',
    sotwMethod: 'StreamSecrets',
    deltaMethod: 'DeltaSecrets',
    types: [TypeUrl.Secret],
  },
];
