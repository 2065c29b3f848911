import type { ClusterModel, EnvoyModel } from '@attache/explain';
import { canon, dropDefaults } from './canon.js';

/** Names a cluster by what it is, so two configurations that name it differently compare equal. */
export type ClusterNamer = (model: EnvoyModel, name: string) => unknown;

const CLUSTER_DEFAULTS: Record<string, unknown> = {
  dns_lookup_family: 'AUTO',
  respect_dns_ttl: false,
  common_lb_config: {},
  ignore_health_on_host_removal: false,
};

/** The behaviour of a cluster: target, discovery, LB, timeouts, TLS, HTTP/2 and the remaining settings. */
export function clusterBehaviour(cluster: ClusterModel | undefined, name: string): unknown {
  if (!cluster) return { undefinedCluster: true };
  const out: Record<string, unknown> = {
    target: targetIdentity(cluster),
    lbPolicy: cluster.lbPolicy,
    connectTimeoutMs: cluster.connectTimeoutMs ?? 5000,
    http2: cluster.http2,
  };
  if (cluster.tls) out.tls = canon(cluster.tls);
  const settings = canon(dropDefaults(cluster.settings, CLUSTER_DEFAULTS));
  if (settings !== undefined) out.settings = settings;
  void name;
  return out;
}

export function targetIdentity(cluster: ClusterModel): string {
  const t = cluster.target;
  switch (t.kind) {
    case 'dns':
      return `${cluster.type} ${t.endpoints
        .map((e) => `${e.address}:${e.port}`)
        .sort()
        .join(',')}`;
    case 'static':
      return `STATIC ${t.endpoints
        .map((e) => `${e.address}:${e.port}`)
        .sort()
        .join(',')}`;
    case 'eds':
      return `EDS ${edsIdentity(t.serviceName)}`;
    default:
      return t.type;
  }
}

/**
 * EDS service names are names: Emissary writes `k8s/<namespace>/<service>/<port>`;
 * other spellings (`<namespace>/<service>:<port>`, `<service>.<namespace>:<port>`)
 * fold to the same `<namespace>/<service>:<port>`.
 */
export function edsIdentity(serviceName: string): string {
  let m = /^k8s\/([^/]+)\/([^/]+)\/(\d+)$/.exec(serviceName);
  if (m) return `${m[1]}/${m[2]}:${m[3]}`;
  m = /^k8s\/([^/]+)\/([^/]+)$/.exec(serviceName);
  if (m) return `${m[1]}/${m[2]}:80`;
  m = /^([^/]+)\/([^/:]+)(?::(\d+))?$/.exec(serviceName);
  if (m) return `${m[1]}/${m[2]}:${m[3] ?? '80'}`;
  m = /^([^./:]+)\.([^./:]+)(?::(\d+))?$/.exec(serviceName);
  if (m) return `${m[2]}/${m[1]}:${m[3] ?? '80'}`;
  return serviceName;
}

/** Default namer: the cluster's behaviour, looked up by name in its own model. */
export const behaviourNamer: ClusterNamer = (model, name) => clusterBehaviour(model.clusters.get(name), name);
