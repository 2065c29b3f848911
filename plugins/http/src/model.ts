import type { IRDownstreamTls, ResourceRef } from '@attache/core';
import type { ErrorResponseOverride, MappingErrorResponses } from './build/error-responses-parse.js';
import type { MappingFields } from './ingest/mapping-fields.js';
import type { MappingSpec } from './schemas/mapping.js';
import type { AmbassadorModuleConfig } from './schemas/module.js';
import type { TLSContextSpec } from './schemas/tlscontext.js';

/**
 * The normalised HTTP model, published in `ir.ext` under these keys so that
 * feature plugins (auth, rate limit, gRPC) read Mappings without re-parsing:
 *
 * - `http.mappings`  HttpMapping[]      valid Mappings (v2 converted), sorted by key
 * - `http.hosts`     HttpHost[]         valid Hosts, plus a synthesized default Host
 * - `http.listeners` HttpListener[]     valid Listeners with an HTTP layer
 * - `http.tlsContexts` HttpTLSContext[] valid TLSContexts
 * - `http.module`    HttpModule         the `ambassador` Module's config (or {})
 * - `http.resolvers` Record<string, HttpResolver>  by name, built-ins included
 */
export const ExtKey = {
  mappings: 'http.mappings',
  hosts: 'http.hosts',
  listeners: 'http.listeners',
  tlsContexts: 'http.tlsContexts',
  module: 'http.module',
  resolvers: 'http.resolvers',
  upstreams: 'http.upstreams',
  ownedClusters: 'http.ownedClusters',
  ownedRouteConfigs: 'http.ownedRouteConfigs',
} as const;

interface Modelled {
  ref: ResourceRef;
  /** Stable identity 'namespace/name'. */
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

export interface HttpMapping extends Modelled {
  /** The v3alpha1 spec (converted from v2 when needed), validated. */
  spec: MappingSpec;
  /**
   * The same fields in an object of one shape for every Mapping (mapping-fields.ts): what the
   * http passes read, in place of `spec`. Feature plugins read `spec`.
   */
  fields: MappingFields;
  /** From spec.bypass_auth: the auth plugin skips these routes. */
  bypassAuth: boolean;
  /** From spec.auth_context_extensions. */
  authContextExtensions: Record<string, string>;
  /** From spec.labels: rate-limit label groups, as written. */
  rateLimitLabels: unknown;
  /** The :authority condition: hostname glob, or the deprecated host (exact or regex). */
  authority?: { glob: string } | { regex: string };
  /**
   * Names of the IR routes this Mapping produced (filled during build). Before the build (and for
   * a Mapping with no route) it may be `noRouteNames`, which is frozen: replace it, never push.
   */
  routeNames: string[];
  /** Its own error_response_overrides, or bypass_error_response_overrides (absent: the Module's apply). */
  errorResponses?: MappingErrorResponses;
}

/**
 * The route names of a Mapping of a plain compile until its routes are built: one frozen empty
 * list for all of them (the build gives each Mapping with routes a list of its own), instead of
 * one per Mapping made at ingest and dropped at the build after living through its collections.
 */
export const noRouteNames: string[] = Object.freeze([]) as unknown as string[];

export type InsecureAction = 'Redirect' | 'Reject' | 'Route';

export interface HttpHost extends Modelled {
  hostname: string;
  mappingSelector?: LabelSelector;
  insecureAction: InsecureAction;
  /** Recorded for compatibility; Emissary creates nothing for it either. */
  additionalPort?: number;
  /** The TLS the Host asks for, before resolution. */
  tlsRequest?: {
    secret?: { name: string; namespace: string };
    contextName?: string;
    inline?: TLSContextSpec;
  };
  /** Resolved downstream TLS (resolve phase). Absent: cleartext only. */
  tls?: IRDownstreamTls;
  /** True for the catch-all Host synthesized when none exists. */
  synthesized?: boolean;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export type ProtocolLayer = 'HTTP' | 'PROXY' | 'TLS' | 'TCP' | 'UDP';

export interface HttpListener extends Modelled {
  port: number;
  stack: ProtocolLayer[];
  securityModel: 'XFP' | 'SECURE' | 'INSECURE';
  statsPrefix?: string;
  l7Depth?: number;
  http2MaxConcurrentStreams?: number;
  hostBinding: { from: 'SELF' | 'ALL' | 'SELECTOR'; selector?: LabelSelector };
}

export interface HttpTLSContext extends Modelled {
  spec: TLSContextSpec;
}

export interface HttpModule {
  ref?: ResourceRef;
  config: AmbassadorModuleConfig;
  /** The valid entries of config.error_response_overrides (absent when there are none). */
  errorResponses?: ErrorResponseOverride[];
}

export interface HttpResolver {
  name: string;
  kind: 'service' | 'endpoint' | 'consul';
  ref?: ResourceRef;
  datacenter?: string;
}
