import { type IRCluster, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { readIR } from '../testing/golden.js';
import { lowerCluster } from './cluster.js';
import { adsConfigSource, defined, duration, type Json, mergeExtra, nonEmpty, typeUrl } from './common.js';
import { clusterLoadAssignment } from './endpoints.js';
import { upstreamTransportSocket } from './tls.js';

// lowerCluster as a literal of every field and its `defined` copy (as it was written before it
// was built key by key): the reference.
const httpProtocolOptionsKey = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
function literalHttpProtocolOptions(cluster: IRCluster): Json | undefined {
  const common = defined({
    idle_timeout: duration(cluster.idleTimeoutMs),
    max_connection_duration: duration(cluster.maxConnectionLifetimeMs),
  });
  const hasCommon = Object.keys(common).length > 0;
  if (!cluster.http2 && !hasCommon) return undefined;
  return {
    [httpProtocolOptionsKey]: defined({
      '@type': typeUrl(httpProtocolOptionsKey),
      common_http_protocol_options: hasCommon ? common : undefined,
      explicit_http_config: cluster.http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
    }),
  };
}
function literalCircuitBreakers(cluster: IRCluster): Json | undefined {
  const thresholds = (cluster.circuitBreakers ?? []).map((cb) =>
    defined({
      max_connections: cb.maxConnections,
      max_pending_requests: cb.maxPendingRequests,
      max_requests: cb.maxRequests,
      max_retries: cb.maxRetries,
      priority: cb.priority,
    }),
  );
  thresholds.sort((a, b) => (a.priority === 'HIGH' ? 1 : 0) - (b.priority === 'HIGH' ? 1 : 0));
  return thresholds.length > 0 ? { thresholds } : undefined;
}
function literalTcpKeepalive(cluster: IRCluster): Json | undefined {
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
function literalCluster(cluster: IRCluster): Json {
  const eds = cluster.discovery === 'EDS';
  const resource = defined({
    '@type': typeUrl('envoy.config.cluster.v3.Cluster'),
    circuit_breakers: literalCircuitBreakers(cluster),
    connect_timeout: duration(cluster.connectTimeoutMs),
    dns_lookup_family: cluster.dnsLookupFamily,
    eds_cluster_config: eds
      ? defined({ eds_config: adsConfigSource(), service_name: cluster.edsServiceName })
      : undefined,
    health_checks: nonEmpty(cluster.healthChecks),
    lb_policy: cluster.lbPolicy,
    load_assignment: eds
      ? undefined
      : clusterLoadAssignment(
          cluster.name,
          (cluster.targets ?? []).map((t) => ({ address: t.host, port: t.port })),
        ),
    name: cluster.name,
    outlier_detection: cluster.outlierDetection,
    per_connection_buffer_limit_bytes: cluster.perConnectionBufferLimitBytes,
    respect_dns_ttl: cluster.respectDnsTtl,
    transport_socket: cluster.tls ? upstreamTransportSocket(cluster.tls) : undefined,
    type: eds ? 'EDS' : cluster.discovery,
    typed_extension_protocol_options: literalHttpProtocolOptions(cluster),
    upstream_connection_options: literalTcpKeepalive(cluster),
  });
  return mergeExtra(resource, cluster.extra);
}

/** JSON text that shows keys holding undefined too (JSON.stringify alone would drop them). */
const text = (json: unknown) =>
  JSON.stringify(json, (_key, value) => (value === undefined ? '<undefined>' : value));

describe('lowerCluster', () => {
  it('gives what the literal of every field gives, key order included (random clusters, fixed seed)', () => {
    const random = seededRandom(1240);
    const golden = Object.values(readIR('full-ir.in.yaml').clusters);
    const keys = [...new Set(golden.flatMap((c) => Object.keys(c)))];
    const extraFields: Array<keyof IRCluster> = [
      'http2',
      'idleTimeoutMs',
      'maxConnectionLifetimeMs',
      'circuitBreakers',
      'tcpKeepalive',
    ];
    const values: Partial<Record<keyof IRCluster, unknown[]>> = {
      http2: [true, false],
      idleTimeoutMs: [1000, 1500, 3600000],
      maxConnectionLifetimeMs: [60000],
      circuitBreakers: [
        [],
        [{ maxConnections: 5 }],
        [{ priority: 'HIGH', maxRequests: 3 }, { maxRetries: 2 }],
      ],
      tcpKeepalive: [{}, { probes: 3, timeSeconds: 10 }],
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    for (let i = 0; i < 1500; i++) {
      const cluster = { ...pick(golden) } as Record<string, unknown>;
      for (const key of keys) {
        if (key === 'name' || key === 'discovery' || key === 'provenance') continue;
        const r = random();
        if (r < 0.3) delete cluster[key];
        else if (r < 0.5) {
          const other = pick(golden) as unknown as Record<string, unknown>;
          if (other[key] !== undefined) cluster[key] = other[key];
        }
      }
      for (const key of extraFields) if (random() < 0.3) cluster[key] = pick(values[key]!);
      if (random() < 0.2) cluster.discovery = pick(['STRICT_DNS', 'LOGICAL_DNS', 'STATIC', 'EDS']);
      const ir = cluster as unknown as IRCluster;
      expect(text(lowerCluster(ir).resource)).toBe(text(literalCluster(ir)));
    }
  });
});

describe('lowerCluster of the common cluster (one literal)', () => {
  it('gives what the literal of every field gives, with any one other field set or a setting missing (random, fixed seed)', () => {
    const random = seededRandom(1416);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const golden = Object.values(readIR('full-ir.in.yaml').clusters);
    const others = [...new Set(golden.flatMap((c) => Object.keys(c)))].filter(
      (key) =>
        ![
          'name',
          'discovery',
          'targets',
          'connectTimeoutMs',
          'lbPolicy',
          'dnsLookupFamily',
          'provenance',
        ].includes(key),
    );
    expect(others.length).toBeGreaterThan(5);
    let plain = 0;
    for (let i = 0; i < 2000; i++) {
      const cluster: Record<string, unknown> = {
        name: `c${i}`,
        discovery: pick(['STRICT_DNS', 'LOGICAL_DNS', 'STATIC', 'EDS']),
        targets: Array.from({ length: Math.floor(random() * 3) }, (_, k) => ({
          host: `h${k}.svc`,
          port: 8000 + k,
        })),
        connectTimeoutMs: pick([3000, 250, 1500, undefined]),
        lbPolicy: pick(['ROUND_ROBIN', 'MAGLEV', undefined]),
        dnsLookupFamily: pick(['V4_ONLY', 'AUTO', undefined]),
        provenance: [],
      };
      for (const key of Object.keys(cluster))
        if (cluster[key] === undefined && random() < 0.7) delete cluster[key];
      if (random() < 0.5) {
        // Another field, as a golden cluster has it (or set to undefined).
        const key = pick(others);
        const from = golden.find(
          (c) => (c as unknown as Record<string, unknown>)[key] !== undefined,
        ) as unknown as Record<string, unknown>;
        cluster[key] = random() < 0.2 ? undefined : from[key];
      }
      const ir = cluster as unknown as IRCluster;
      if (
        Object.keys(cluster).length === 7 &&
        cluster.discovery !== 'EDS' &&
        !Object.values(cluster).includes(undefined)
      )
        plain++;
      expect(text(lowerCluster(ir).resource)).toBe(text(literalCluster(ir)));
    }
    expect(plain).toBeGreaterThan(200);
  });
});
