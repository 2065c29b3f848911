import { defineExtPoint, type ResourceRef } from '@attache/core';
import type { AuthServiceSpec } from './schemas.js';

/** An AuthService as ingest accepted it: the filter it becomes and the cluster it asked for. */
export interface AuthService {
  ref: ResourceRef;
  /** 'namespace/name'. */
  id: string;
  name: string;
  namespace: string;
  spec: AuthServiceSpec;
  /** Normalised: 'http' | 'grpc'. */
  proto: 'http' | 'grpc';
  /** Envoy filter name: the global AuthService keeps Emissary's name, named ones get their own. */
  filterName: string;
  /** ServiceRequest id (core's ServiceRequestsExt). */
  requestId: string;
  /** Global AuthServices after the first: canary targets of its cluster (Emissary's rule). */
  canaries: ResourceRef[];
  global: boolean;
}

export interface AuthServices {
  /** The global AuthService (the first global one by namespace/name), if any. */
  global?: AuthService;
  /** Named AuthServices by 'namespace/name'. */
  named: Record<string, AuthService>;
}

/** Shared between this plugin's passes (and readable by others, e.g. a UI). */
export const AuthServicesExt = defineExtPoint<AuthServices>(
  'feature-auth.services',
  'the AuthServices in use (global and named), written by feature-auth in ingest',
);

export const globalFilterName = 'envoy.filters.http.ext_authz';
export const extAuthzType = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
export const extAuthzPerRouteType =
  'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute';
export const filterConfigType = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';
