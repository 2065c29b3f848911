import { type IRCluster, TypeUrl } from '@attache/core';
import {
  adsConfigSource,
  defined,
  duration,
  type Json,
  type LoweredResource,
  mergeExtra,
  nonEmpty,
  typeUrl,
} from './common.js';
import { clusterLoadAssignment } from './endpoints.js';
import { upstreamTransportSocket } from './tls.js';

const httpProtocolOptionsKey = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/**
 * Upstream HTTP settings live in the typed extension protocol options since
 * v3 (the Cluster-level http2_protocol_options are deprecated); only emitted
 * when something differs from Envoy's defaults.
 */
// Type URLs made once (constants, not a new concatenation per cluster).
const clusterType = typeUrl('envoy.config.cluster.v3.Cluster');
const httpProtocolOptionsType = typeUrl(httpProtocolOptionsKey);

function httpProtocolOptions(cluster: IRCluster): Json | undefined {
  // (Nothing made for a cluster without HTTP/2 or timeouts: the common case.)
  if (!cluster.http2 && cluster.idleTimeoutMs === undefined && cluster.maxConnectionLifetimeMs === undefined)
    return undefined;
  const common = defined({
    idle_timeout: duration(cluster.idleTimeoutMs),
    max_connection_duration: duration(cluster.maxConnectionLifetimeMs),
  });
  const hasCommon = Object.keys(common).length > 0;
  if (!cluster.http2 && !hasCommon) return undefined;
  return {
    [httpProtocolOptionsKey]: defined({
      '@type': httpProtocolOptionsType,
      common_http_protocol_options: hasCommon ? common : undefined,
      explicit_http_config: cluster.http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
    }),
  };
}

function circuitBreakers(cluster: IRCluster): Json | undefined {
  if (cluster.circuitBreakers === undefined || cluster.circuitBreakers.length === 0) return undefined;
  const thresholds = cluster.circuitBreakers.map((cb) =>
    defined({
      max_connections: cb.maxConnections,
      max_pending_requests: cb.maxPendingRequests,
      max_requests: cb.maxRequests,
      max_retries: cb.maxRetries,
      priority: cb.priority,
    }),
  );
  // Envoy keeps one threshold per priority; DEFAULT first, as in its docs.
  thresholds.sort((a, b) => (a.priority === 'HIGH' ? 1 : 0) - (b.priority === 'HIGH' ? 1 : 0));
  return thresholds.length > 0 ? { thresholds } : undefined;
}

function tcpKeepalive(cluster: IRCluster): Json | undefined {
  const k = cluster.tcpKeepalive;
  if (!k) return undefined;
  return {
    tcp_keepalive: defined({
      keepalive_interval: k.intervalSeconds,
      keepalive_probes: k.probes,
      keepalive_time: k.timeSeconds,
    }),
  };
}

/** The fields of an IR cluster plainCluster lowers (any other field present: the general path). */
const plainClusterFields = new Set([
  'name',
  'discovery',
  'targets',
  'connectTimeoutMs',
  'lbPolicy',
  'dnsLookupFamily',
  'provenance',
]);

/**
 * The cluster most inputs make (a DNS or static target list and the three settings, nothing
 * else), as one literal: its seven keys sit in the object itself. Built key by key from `{}`, the
 * keys after the fourth went to a property array of their own (~3,650 at 10 x 10,000, kept until
 * printing), grown once on the way. Undefined when the IR cluster has any other field, or lacks
 * one of these (then a key would hold undefined): the general path lowers it.
 */
function plainCluster(cluster: IRCluster): Json | undefined {
  for (const key in cluster) if (!plainClusterFields.has(key)) return undefined;
  const { name, discovery, connectTimeoutMs, lbPolicy, dnsLookupFamily } = cluster;
  if (
    discovery === undefined ||
    discovery === 'EDS' ||
    connectTimeoutMs === undefined ||
    lbPolicy === undefined ||
    dnsLookupFamily === undefined ||
    name === undefined
  )
    return undefined;
  // Keys in code-unit order, as the general path sets them.
  return {
    '@type': clusterType,
    connect_timeout: duration(connectTimeoutMs),
    dns_lookup_family: dnsLookupFamily,
    lb_policy: lbPolicy,
    load_assignment: clusterLoadAssignment(
      name,
      (cluster.targets ?? []).map((t) => ({ address: t.host, port: t.port })),
    ),
    name,
    type: discovery,
  };
}

export function lowerCluster(cluster: IRCluster): LoweredResource {
  const plain = plainCluster(cluster);
  if (plain !== undefined) {
    return {
      typeUrl: TypeUrl.Cluster,
      name: cluster.name,
      resource: plain,
      provenance: cluster.provenance,
      parts: [],
    };
  }
  // Keys in code-unit order (the order the printer's canonical JSON wants, so it need not copy
  // the object); a plugin's extra fields, if any, come after.
  // Built key by key where defined (not a literal of every field and its `defined` copy):
  // clusters are lowered by the thousand. cluster.test.ts holds it to the literal.
  const eds = cluster.discovery === 'EDS';
  const resource: Json = { '@type': clusterType };
  setDefined(resource, 'circuit_breakers', circuitBreakers(cluster));
  setDefined(resource, 'connect_timeout', duration(cluster.connectTimeoutMs));
  setDefined(resource, 'dns_lookup_family', cluster.dnsLookupFamily);
  // How the cluster finds its hosts: EDS over ADS, or an inline load assignment for DNS and static targets.
  if (eds)
    resource.eds_cluster_config = defined({
      eds_config: adsConfigSource(),
      service_name: cluster.edsServiceName,
    });
  setDefined(resource, 'health_checks', nonEmpty(cluster.healthChecks));
  setDefined(resource, 'lb_policy', cluster.lbPolicy);
  if (!eds) {
    resource.load_assignment = clusterLoadAssignment(
      cluster.name,
      (cluster.targets ?? []).map((t) => ({ address: t.host, port: t.port })),
    );
  }
  setDefined(resource, 'name', cluster.name);
  setDefined(resource, 'outlier_detection', cluster.outlierDetection);
  setDefined(resource, 'per_connection_buffer_limit_bytes', cluster.perConnectionBufferLimitBytes);
  setDefined(resource, 'respect_dns_ttl', cluster.respectDnsTtl);
  if (cluster.tls) setDefined(resource, 'transport_socket', upstreamTransportSocket(cluster.tls));
  setDefined(resource, 'type', eds ? 'EDS' : cluster.discovery);
  setDefined(resource, 'typed_extension_protocol_options', httpProtocolOptions(cluster));
  setDefined(resource, 'upstream_connection_options', tcpKeepalive(cluster));
  return {
    typeUrl: TypeUrl.Cluster,
    name: cluster.name,
    resource: mergeExtra(resource, cluster.extra),
    provenance: cluster.provenance,
    parts: [],
  };
}

function setDefined(out: Json, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}
