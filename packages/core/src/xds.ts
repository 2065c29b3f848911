import type { ResourceRef } from './resource.js';

/** The five resource types Attaché serves, by type URL. */
export const TypeUrl = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type XdsTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/** Make-before-break order for pushes on ADS: what a resource references is sent before it. */
export const xdsPushOrder: readonly XdsTypeUrl[] = [
  TypeUrl.Secret,
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
];

/** One generated Envoy resource: proto3-JSON (with '@type'), validated, hashed. */
export interface XdsResource {
  typeUrl: XdsTypeUrl;
  name: string;
  /** proto3 canonical JSON of the resource, including '@type'. */
  resource: Record<string, unknown>;
  /** Content hash of the canonical JSON: the per-resource version for delta xDS. */
  version: string;
  /** The input resources behind it. */
  provenance: ResourceRef[];
  /**
   * JSON text of `resource`, when its producer had it at hand (the runtime's
   * compile worker keeps it for large resources), so a sink can hand the
   * resource to another thread without serialising it again.
   */
  text?: string;
  /**
   * Sent only to a client that asks for it by name, never in a wildcard
   * subscription nor in a static bootstrap: the resources of proxyless gRPC
   * clients (which name every resource they want), which Envoy's wildcard
   * LDS/CDS would otherwise receive as well.
   */
  byNameOnly?: true;
}

/** Resources by type URL, each list sorted by name. */
export type XdsResources = Record<XdsTypeUrl, XdsResource[]>;

export function emptyXdsResources(): XdsResources {
  return {
    [TypeUrl.Listener]: [],
    [TypeUrl.RouteConfiguration]: [],
    [TypeUrl.Cluster]: [],
    [TypeUrl.ClusterLoadAssignment]: [],
    [TypeUrl.Secret]: [],
  };
}
