import { type PassContext, readExt, replaceHttpConnectionManagers, ServiceGrantsExt } from '@attache/core';
import { TracingServiceExt } from './ingest.js';
import { hcmTracing } from './tracingservice.js';

/**
 * Tracing on every HTTP connection manager, as Emissary's V3Listener sets it
 * (generate_request_id, the sampling percentages, custom tags, and the router's
 * start_child_span), with the provider in the connection manager: Emissary puts
 * it in Envoy's bootstrap, which a control plane serving xDS cannot change.
 */
export function attachTracing(ctx: PassContext): void {
  const chosen = readExt(ctx.ir, TracingServiceExt);
  if (!chosen) return;
  const grant = readExt(ctx.ir, ServiceGrantsExt)?.[chosen.requestId];
  if (!grant) {
    ctx.report({
      code: 'TRACING_NO_CLUSTER',
      resource: chosen.config.ref,
      path: '/spec/service',
      message:
        'no plugin resolves services in this distribution (the http plugin is not loaded), so the TracingService has no collector cluster and is ignored',
    });
    return;
  }
  if (!('cluster' in grant)) return; // the resolver reported why on the TracingService
  const tracing = { config: hcmTracing(chosen.config, grant.cluster), provenance: [chosen.config.ref] };
  replaceHttpConnectionManagers(ctx.ir, (hcm) => ({
    ...hcm,
    generateRequestId: true,
    startChildSpan: true,
    tracing,
  }));
}
