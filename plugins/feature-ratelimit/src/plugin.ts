import { definePlugin } from '@attache/core';
import { attachRateLimits } from './attach.js';
import { ratelimitDiagnosticCodes } from './codes.js';
import { ingestRateLimitServices, rateLimitServiceKind } from './ingest.js';
import { ratelimitFieldExtensions } from './schemas.js';

/**
 * Emissary's RateLimitService and Mapping `labels` (global rate limiting with
 * Envoy's ratelimit filter), and local token-bucket rate limiting per Mapping
 * and Host. Reads the HTTP model only through core's extension points.
 */
export const ratelimitPlugin = definePlugin({
  id: 'feature-ratelimit',
  description:
    'Emissary RateLimitService + Mapping labels → the ratelimit filter and route rate_limits; local_rate_limit on Mappings and Hosts → the local_ratelimit filter',
  owns: [rateLimitServiceKind],
  register(reg) {
    reg.diagnostics(ratelimitDiagnosticCodes);
    reg.fields(ratelimitFieldExtensions);
    reg.pass({
      id: 'feature-ratelimit.ingest-services',
      phase: 'ingest',
      reason:
        'the RateLimitService must ask for its cluster in ingest, so the HTTP model resolves it with the other services in resolve',
      writes: ['edge.serviceRequests', 'feature-ratelimit.service'],
      run: ingestRateLimitServices,
    });
    reg.pass({
      id: 'feature-ratelimit.attach',
      phase: 'attach',
      reason:
        'labels become rate_limits on the routes the HTTP model built (build phase) and the filters join every HTTP connection manager; it edits copy-on-write and depends on no other feature, so it declares no ir.* reads (a feature pass that reads them runs after it instead of forming a cycle)',
      reads: ['http.model', 'edge.serviceGrants', 'feature-ratelimit.service'],
      writes: ['ir.routeConfigs', 'ir.listeners'],
      run: (ctx) => attachRateLimits(ctx),
    });
  },
});
