import { defineExtPoint } from './ext-point.js';
import type { IRCircuitBreaker } from './ir.js';
import type { ResourceRef } from './resource.js';

/**
 * The HTTP edge model as feature plugins see it (auth, rate limit, gRPC,
 * tracing, third-party): which resource became which IR routes, which Host a
 * virtual host serves and which Listener a route configuration belongs to.
 * Produced by the `http` plugin at the end of its build pass; read in
 * `attach` or later. Everything here is read-only: change the IR through
 * `replaceRoutes` / `replaceHttpConnectionManagers`, never by editing shared objects.
 */
export interface HttpModel {
  /**
   * Every resource that produced routes (Mappings), sorted by namespace/name.
   * A resource whose routes were all dropped (no Host, bad service) is still listed, with no route names.
   */
  routeSources: readonly HttpRouteSource[];
  /** Routes the HTTP model adds on its own, by IR route name (e.g. the Module's probe routes). */
  builtinRoutes: Readonly<Record<string, HttpBuiltinRoute>>;
  /** IR virtual host name → the Host it serves (a synthesized default Host has `synthesized: true`). */
  virtualHosts: Readonly<Record<string, HttpHostView>>;
  /** IR route configuration name → the Listener whose filter chain serves it. */
  routeConfigs: Readonly<Record<string, HttpListenerView>>;
  /** The `ambassador` Module, when there is one: its ref and validated `spec.config`. */
  module?: { ref: ResourceRef; config: Readonly<Record<string, unknown>> };
}

/**
 * One resource's routes in the HTTP model. Read its fields by name: a producer may give some as
 * accessors (the http plugin's Mapping objects in a plain compile), so a spread, `Object.keys` or
 * `canonicalJson` of a source may not see them; `JSON.stringify` does (such a source has `toJSON`).
 */
export interface HttpRouteSource {
  ref: ResourceRef;
  namespace: string;
  /** The validated spec as the producer normalised it (Emissary v2 converted to v3alpha1). */
  spec: Readonly<Record<string, unknown>>;
  labels: Readonly<Record<string, string>>;
  /**
   * Names of the IR routes it produced. One route object may sit in several
   * virtual hosts (shared); match routes by name, then replace them.
   */
  routeNames: readonly string[];
}

export interface HttpBuiltinRoute {
  /** 'probe': liveness/readiness answered by Envoy; features (auth, rate limit) leave them alone by default. */
  role: 'probe';
  ref?: ResourceRef;
}

export interface HttpHostView {
  /** The Host (read its other fields, e.g. ones a plugin claimed, through `ctx.resources`). */
  ref: ResourceRef;
  hostname: string;
  /** The catch-all Host the HTTP model made up because none exists. */
  synthesized?: boolean;
}

export interface HttpListenerView {
  ref: ResourceRef;
  port: number;
  securityModel: 'XFP' | 'SECURE' | 'INSECURE';
  /** Whether this route configuration is served behind TLS termination. */
  tls: boolean;
}

export const HttpModelExt = defineExtPoint<HttpModel>(
  'http.model',
  'the HTTP edge model (route sources, Hosts per virtual host, Listeners per route configuration), written by the http plugin in build',
);

/**
 * A feature plugin's request for a cluster to one of its services (an auth
 * server, a rate-limit service, a trace collector), resolved by the plugin
 * that knows Emissary's service syntax, resolvers and TLSContexts (`http`),
 * so that every feature resolves `host[:port]`, `https://` and `tls:` alike.
 * Requests are published in `ingest`; grants come back in `resolve`.
 */
export interface ServiceRequest {
  /** Unique: '<plugin>/<namespace>/<name>', e.g. 'feature-auth/default/authn'. */
  id: string;
  /** The resource that names the service; problems are reported on it. */
  ref: ResourceRef;
  /** Namespace the service name is relative to (the resource's). */
  namespace: string;
  /** Emissary service syntax: `[http://|https://]host[:port]`. */
  service: string;
  /** JSON pointer of the service field, e.g. '/spec/auth_service'. */
  servicePath: string;
  /** A TLSContext name, or true for TLS without one. Absent: by the `https://` scheme. */
  tls?: string | boolean;
  /** JSON pointer of the tls field, e.g. '/spec/tls'. */
  tlsPath?: string;
  /**
   * More services behind the same cluster, load-balanced round robin with the
   * first (Emissary's AuthService canary); each is reported on its own resource.
   */
  moreServices?: ReadonlyArray<{ service: string; servicePath: string; namespace: string; ref: ResourceRef }>;
  /** Speak HTTP/2 to it (gRPC services). */
  http2?: boolean;
  /** Cluster name prefix, e.g. 'cluster_extauth' (Emissary's naming); the rest is derived from content. */
  namePrefix: string;
  circuitBreakers?: IRCircuitBreaker[];
  connectTimeoutMs?: number;
  /** Cluster alt_stat_name (Emissary `stats_name`). */
  statsName?: string;
  /** A resolver by name (Emissary `resolver`; default: the Module's, else kubernetes-service). */
  resolver?: string;
  /** JSON pointer of the resolver field, e.g. '/spec/resolver'. */
  resolverPath?: string;
  /** DNS families (Emissary `enable_ipv4` / `enable_ipv6`; default: the Module's, else IPv4 only). */
  enableIpv4?: boolean;
  enableIpv6?: boolean;
}

export type ServiceGrant =
  | { cluster: string; authority: string }
  /** The request was refused; the resolver reported why on the request's resource. */
  | { refused: true };

export const ServiceRequestsExt = defineExtPoint<readonly ServiceRequest[]>(
  'edge.serviceRequests',
  'clusters feature plugins need (auth, rate limit, tracing); appended in ingest by each requester (replace the array, never push)',
);

export const ServiceGrantsExt = defineExtPoint<Readonly<Record<string, ServiceGrant>>>(
  'edge.serviceGrants',
  'the cluster each ServiceRequest got (by request id), written by the http plugin in resolve',
);

/** Adds requests to the shared list without editing the array another pass published. */
export function requestServices(ext: Record<string, unknown>, requests: readonly ServiceRequest[]): void {
  const current = (ext[ServiceRequestsExt.key] as readonly ServiceRequest[] | undefined) ?? [];
  ext[ServiceRequestsExt.key] = [...current, ...requests];
}
