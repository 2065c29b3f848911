import { definePlugin } from '@attache/core';
import { attachTracing } from './attach.js';
import { tracingDiagnosticCodes } from './codes.js';
import { ingestTracingServices, tracingServiceKind } from './ingest.js';

/**
 * Emissary's TracingService: request tracing (Zipkin, OpenTelemetry, Datadog)
 * on every HTTP connection manager, with its collector cluster. Reads nothing
 * of another plugin but core's extension points.
 */
export const tracingPlugin = definePlugin({
  id: 'feature-tracing',
  description:
    'Emissary TracingService → tracing (provider, sampling, custom tags) on every HTTP connection manager',
  owns: [tracingServiceKind],
  register(reg) {
    reg.diagnostics(tracingDiagnosticCodes);
    reg.pass({
      id: 'feature-tracing.ingest',
      phase: 'ingest',
      reason:
        'the TracingService must ask for its collector cluster in ingest, so the HTTP model resolves it with the other services in resolve',
      writes: ['edge.serviceRequests', 'feature-tracing.service'],
      run: ingestTracingServices,
    });
    reg.pass({
      id: 'feature-tracing.attach',
      phase: 'attach',
      reason:
        'tracing goes on the connection managers the build phase made; it edits them copy-on-write and depends on no other feature, so it declares no ir.* reads (a feature pass that reads them runs after it instead of forming a cycle)',
      reads: ['edge.serviceGrants', 'feature-tracing.service'],
      writes: ['ir.listeners'],
      run: attachTracing,
    });
  },
});
