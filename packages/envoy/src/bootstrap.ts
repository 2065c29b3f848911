import { isIP } from 'node:net';
import { TypeUrl, type XdsResource, type XdsResources } from '@attache/core';
import { adsConfigSource, type Json, typeUrl } from './lower/common.js';
import { httpConnectionManagerFilterName } from './lower/listener.js';
import { type BootstrapStats, statsListenerResources } from './stats-listener.js';
import { validateResource } from './validate.js';
import type { ValidationIssue } from './validation-issue.js';

export interface BootstrapNode {
  id: string;
  cluster: string;
  locality?: { region?: string; zone?: string; subZone?: string };
}

export interface BootstrapAdmin {
  address: string;
  port: number;
}

export interface StaticBootstrapOptions {
  node?: BootstrapNode;
  admin?: BootstrapAdmin;
  /** Envoy's /stats/prometheus on a listener of its own (needs `admin`); see stats-listener.ts. */
  stats?: BootstrapStats;
}

export interface AdsBootstrapOptions {
  node: BootstrapNode;
  /** Where the control plane's ADS server listens. */
  ads: { host: string; port: number };
  admin?: BootstrapAdmin;
  /** Incremental (delta) xDS instead of state-of-the-world. */
  delta?: boolean;
  /** Envoy's /stats/prometheus on a listener of its own (needs `admin`); see stats-listener.ts. */
  stats?: BootstrapStats;
}

/** A bootstrap we built failed validation: a bug in this module, never a user error (inputs are validated resources). */
export class BootstrapValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `generated bootstrap is invalid: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'BootstrapValidationError';
  }
}

const bootstrapType = typeUrl('envoy.config.bootstrap.v3.Bootstrap');

/** The control plane's cluster name in the ADS bootstrap. */
export const xdsClusterName = 'xds_cluster';

function withoutType(resource: Json): Json {
  const { '@type': _type, ...body } = resource;
  return body;
}

function nodeJson(node: BootstrapNode): Json {
  const locality = node.locality;
  return {
    id: node.id,
    cluster: node.cluster,
    ...(locality
      ? {
          locality: {
            ...(locality.region ? { region: locality.region } : {}),
            ...(locality.zone ? { zone: locality.zone } : {}),
            ...(locality.subZone ? { sub_zone: locality.subZone } : {}),
          },
        }
      : {}),
  };
}

/** The stats listener and its admin cluster, or nothing; a stats listener without an admin address is a caller bug. */
function statsResources(options: { admin?: BootstrapAdmin; stats?: BootstrapStats }): {
  listeners: Json[];
  clusters: Json[];
} {
  if (!options.stats) return { listeners: [], clusters: [] };
  if (!options.admin || options.admin.port === 0) {
    throw new Error('a stats listener needs the admin address on a fixed port (admin: { address, port })');
  }
  const { listener, cluster } = statsListenerResources(options.stats, options.admin);
  return { listeners: [listener], clusters: [cluster] };
}

function adminJson(admin: BootstrapAdmin): Json {
  return { address: { socket_address: { address: admin.address, port_value: admin.port } } };
}

/**
 * Validates a bootstrap as envoy.config.bootstrap.v3.Bootstrap and returns it
 * without '@type': Envoy reads a bootstrap file as that message directly and
 * would reject the key as an unknown field.
 */
function validated(bootstrap: Json): Json {
  const issues = validateResource({ '@type': bootstrapType, ...bootstrap });
  if (issues.length > 0) throw new BootstrapValidationError(issues);
  return bootstrap;
}

/**
 * Rewrites one resource for static use, in place: RDS becomes the inline
 * route config, and SDS references lose their ADS config source (a secret
 * named without one is looked up in static_resources.secrets).
 */
function inlineReferences(value: unknown, routeConfigs: ReadonlyMap<string, Json>): void {
  if (Array.isArray(value)) {
    for (const item of value) inlineReferences(item, routeConfigs);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Json;
  if (object.name === httpConnectionManagerFilterName && typeof object.typed_config === 'object') {
    const hcm = object.typed_config as Json;
    const rds = hcm.rds as { route_config_name?: string } | undefined;
    if (rds) {
      const name = rds.route_config_name ?? '';
      delete hcm.rds;
      // A route config that was rejected is served empty (404s), as Envoy would with RDS.
      hcm.route_config = routeConfigs.get(name) ?? { name };
    }
  }
  for (const key of ['tls_certificate_sds_secret_configs', 'validation_context_sds_secret_config']) {
    const refs = object[key];
    for (const ref of Array.isArray(refs) ? refs : refs ? [refs] : []) delete (ref as Json).sds_config;
  }
  for (const child of Object.values(object)) inlineReferences(child, routeConfigs);
}

function staticCluster(cluster: XdsResource, assignments: ReadonlyMap<string, Json>): Json {
  const body = structuredClone(withoutType(cluster.resource));
  if (body.type === 'EDS') {
    const eds = body.eds_cluster_config as { service_name?: string } | undefined;
    const serviceName = eds?.service_name ?? cluster.name;
    delete body.eds_cluster_config;
    body.type = 'STATIC';
    const assignment = assignments.get(serviceName);
    body.load_assignment = { ...(assignment ?? { endpoints: [] }), cluster_name: cluster.name };
  }
  return body;
}

/**
 * A self-contained Envoy bootstrap: every listener, cluster and secret
 * inline (route configs inlined into their HCMs, EDS clusters turned STATIC
 * with their endpoints), for running Envoy without a control plane.
 */
export function buildStaticBootstrap(all: XdsResources, options: StaticBootstrapOptions = {}): Json {
  // What only a client naming it gets (proxyless gRPC's) is not Envoy's.
  const resources = Object.fromEntries(
    Object.entries(all).map(([typeUrl, list]) => [typeUrl, list.filter((r) => !r.byNameOnly)]),
  ) as XdsResources;
  const routeConfigs = new Map(
    resources[TypeUrl.RouteConfiguration].map((r) => [r.name, withoutType(r.resource)] as const),
  );
  const assignments = new Map(
    resources[TypeUrl.ClusterLoadAssignment].map((r) => [r.name, withoutType(r.resource)] as const),
  );
  const listeners = resources[TypeUrl.Listener].map((l) => structuredClone(withoutType(l.resource)));
  const clusters = resources[TypeUrl.Cluster].map((c) => staticCluster(c, assignments));
  const secrets = resources[TypeUrl.Secret].map((s) => withoutType(s.resource));
  for (const resource of [...listeners, ...clusters]) inlineReferences(resource, routeConfigs);
  const stats = statsResources(options);
  return validated({
    ...(options.node ? { node: nodeJson(options.node) } : {}),
    static_resources: {
      listeners: [...listeners, ...stats.listeners],
      clusters: [...clusters, ...stats.clusters],
      secrets,
    },
    ...(options.admin ? { admin: adminJson(options.admin) } : {}),
  });
}

/**
 * The bootstrap an Envoy needs to be driven by our ADS server: node identity,
 * one static cluster (HTTP/2) for the control plane, and LDS/CDS over ADS;
 * everything else arrives on the stream.
 */
export function buildAdsBootstrap(options: AdsBootstrapOptions): Json {
  const { host, port } = options.ads;
  const xdsCluster = {
    name: xdsClusterName,
    type: isIP(host) ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: xdsClusterName,
      endpoints: [
        {
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }],
        },
      ],
    },
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': typeUrl('envoy.extensions.upstreams.http.v3.HttpProtocolOptions'),
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
  };
  const stats = statsResources(options);
  return validated({
    node: nodeJson(options.node),
    dynamic_resources: {
      ads_config: {
        api_type: options.delta ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: xdsClusterName } }],
        set_node_on_first_message_only: true,
      },
      lds_config: adsConfigSource(),
      cds_config: adsConfigSource(),
    },
    static_resources:
      stats.listeners.length > 0
        ? { listeners: stats.listeners, clusters: [xdsCluster, ...stats.clusters] }
        : { clusters: [xdsCluster] },
    ...(options.admin ? { admin: adminJson(options.admin) } : {}),
  });
}
