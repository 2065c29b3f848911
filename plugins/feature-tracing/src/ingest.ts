import {
  defineExtPoint,
  firstUsableService,
  type PassContext,
  requestServiceCluster,
  writeExt,
} from '@attache/core';
import { readTracingService, type TracingServiceConfig } from './tracingservice.js';

/** The TracingService this instance uses (if any) and the id of its cluster request. */
export interface ChosenTracingService {
  config: TracingServiceConfig;
  requestId: string;
}

export const TracingServiceExt = defineExtPoint<ChosenTracingService | null>(
  'feature-tracing.service',
  'the TracingService in use (null: none), written by feature-tracing in ingest',
);

export const tracingServiceKind = 'getambassador.io/TracingService';

/**
 * Validates every TracingService of this instance, keeps the first usable one
 * (by namespace/name) and asks for a cluster to its collector: HTTP/2 for
 * OpenTelemetry (OTLP/gRPC), HTTP/1.1 for Zipkin and Datadog (as Emissary).
 */
export function ingestTracingServices(ctx: PassContext): void {
  const chosen = firstUsableService(ctx, {
    kind: tracingServiceKind,
    label: 'TracingService',
    read: readTracingService,
    conflictCode: 'TRACING_CONFLICT',
  });
  if (!chosen) {
    writeExt(ctx.ir, TracingServiceExt, null);
    return;
  }
  const requestId = requestServiceCluster(ctx, 'feature-tracing', chosen, {
    http2: chosen.driver === 'opentelemetry',
    namePrefix: 'cluster_tracing',
  });
  writeExt(ctx.ir, TracingServiceExt, { config: chosen, requestId });
}
