/**
 * @attache/plugin-feature-auth — Emissary's AuthService (external authorisation).
 *
 * Built only on @attache/core's extension points (HttpModelExt, service
 * requests, filter slots, per-route config, claimed Mapping/Host fields); it
 * never imports the http plugin. See docs/plugins.md for the walk-through and
 * docs/reference/authservice.md for the fields.
 */
export { type AuthDiagnosticCode, authDiagnosticCodes } from './codes.js';
export { FeatureAuthConfig } from './config.js';
export { extAuthzConfig } from './ext-authz-config.js';
export { type AuthService, type AuthServices, AuthServicesExt } from './model.js';
export { featureAuthPlugin } from './plugin.js';
export { AuthServiceSpec, authFieldExtensions } from './schemas.js';

import { AuthServiceSpec } from './schemas.js';
/** Schemas by kind, for the CRD generator. */
export const authSpecSchemas = { AuthService: AuthServiceSpec } as const;
export default featureAuthPlugin;

import { featureAuthPlugin } from './plugin.js';
