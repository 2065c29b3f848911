import { definePlugin, HttpModelExt } from '@attache/core';
import { attachAuth } from './attach.js';
import { authDiagnosticCodes } from './codes.js';
import { FeatureAuthConfig } from './config.js';
import { ingestAuthServices } from './ingest.js';
import { AuthServicesExt } from './model.js';
import { authFieldExtensions } from './schemas.js';

/** Emissary's AuthService: external authorisation (Envoy ext_authz) for the HTTP edge. */
export const featureAuthPlugin = definePlugin<FeatureAuthConfig>({
  id: 'feature-auth',
  description:
    'Emissary AuthService → ext_authz (HTTP and gRPC), Mapping bypass_auth / auth_context_extensions, AuthService per Host and per Mapping',
  configSchema: FeatureAuthConfig,
  owns: ['getambassador.io/AuthService'],
  register(reg) {
    reg.diagnostics(authDiagnosticCodes);
    reg.fields(authFieldExtensions);
    reg.pass({
      id: 'feature-auth.ingest',
      phase: 'ingest',
      reason:
        'AuthServices are validated and their clusters requested in ingest, so the HTTP model resolves them in resolve like any service',
      writes: [AuthServicesExt.key, 'edge.serviceRequests'],
      run: ingestAuthServices,
    });
    reg.pass({
      id: 'feature-auth.attach',
      phase: 'attach',
      reason:
        'decorates the connection managers, virtual hosts and routes the HTTP model built (build phase), before finalize shares identical route tables',
      // It edits the listeners and routes the build phase made, copy-on-write; it does not declare
      // them as reads, so that other decorating passes (which read them) run after it, not in a cycle.
      reads: [AuthServicesExt.key, HttpModelExt.key, 'edge.serviceGrants'],
      writes: ['ir.listeners', 'ir.routeConfigs', 'ir.clusters'],
      run: (ctx) => attachAuth(ctx),
    });
  },
});
