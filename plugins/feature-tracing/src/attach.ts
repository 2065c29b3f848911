import {
  type IRHttpConnectionManager,
  type PassContext,
  readExt,
  replaceHttpConnectionManagers,
  ServiceGrantsExt,
} from '@attache/core';
import { TracingServiceExt } from './ingest.js';
import { hcmTracing } from './tracingservice.js';

/**
 * Tracing on every HTTP connection manager, as Emissary's V3Listener sets it
 * (generate_request_id, the sampling percentages, custom tags, and the router's
 * start_child_span; every HTTP listener OUTBOUND; with Datadog, the trace ids
 * in the Module's default JSON access log), with the provider in the connection
 * manager: Emissary puts it in Envoy's bootstrap, which a control plane serving
 * xDS cannot change.
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
  const datadog = chosen.config.driver === 'datadog';
  replaceHttpConnectionManagers(ctx.ir, (hcm) => ({
    ...hcm,
    generateRequestId: true,
    startChildSpan: true,
    tracing,
    ...(datadog && hcm.accessLog?.some((log) => log.defaultFields)
      ? { accessLog: hcm.accessLog.map((log) => (log.defaultFields ? withDatadogIds(log) : log)) }
      : {}),
  }));
  // Emissary marks every HTTP listener OUTBOUND when it traces: Envoy then reports request spans as egress.
  for (const name of Object.keys(ctx.ir.listeners)) {
    const listener = ctx.ir.listeners[name]!;
    const chains = [
      ...listener.filterChains,
      ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : []),
    ];
    if (chains.some((c) => c.kind === 'http'))
      ctx.ir.listeners[name] = { ...listener, trafficDirection: 'OUTBOUND' };
  }
}

type AccessLog = NonNullable<IRHttpConnectionManager['accessLog']>[number];

/** Emissary's default JSON access log with Datadog's trace and span ids (V3Listener.access_log). */
function withDatadogIds(log: AccessLog): AccessLog {
  return {
    ...log,
    json: {
      ...log.json,
      'dd.trace_id': '%REQ(X-DATADOG-TRACE-ID)%',
      'dd.span_id': '%REQ(X-DATADOG-PARENT-ID)%',
    },
  };
}
