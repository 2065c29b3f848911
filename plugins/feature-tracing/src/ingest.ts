import {
  defineExtPoint,
  type PassContext,
  refOf,
  requestServices,
  type ServiceRequest,
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

/** Emissary's ambassador_id rule: none means "default"; otherwise a string or list naming ours. */
export function servesAmbassadorId(spec: unknown, ours: string): boolean {
  const raw = (spec as { ambassador_id?: unknown } | undefined)?.ambassador_id;
  if (raw === undefined || raw === null) return ours === 'default';
  if (typeof raw === 'string') return raw === ours;
  if (Array.isArray(raw)) return raw.length === 0 ? ours === 'default' : raw.includes(ours);
  return false;
}

/**
 * Validates every TracingService of this instance, keeps the first usable one
 * (by namespace/name) and asks for a cluster to its collector: HTTP/2 for
 * OpenTelemetry (OTLP/gRPC), HTTP/1.1 for Zipkin and Datadog (as Emissary).
 */
export function ingestTracingServices(ctx: PassContext): void {
  const usable: TracingServiceConfig[] = [];
  for (const stored of ctx.resources(tracingServiceKind)) {
    const resource = stored.resource as { spec?: unknown };
    if (resource === null || typeof resource !== 'object') continue;
    if (!servesAmbassadorId(resource.spec, ctx.options.ambassadorId ?? 'default')) continue;
    const ref = refOf(stored.resource, stored.origin);
    const { config, problems } = readTracingService(ref, resource.spec);
    for (const p of problems) ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (config) usable.push(config);
  }
  const [chosen, ...others] = usable;
  for (const other of others) {
    ctx.report({
      code: 'TRACING_CONFLICT',
      resource: other.ref,
      message: `only one TracingService is supported; ${chosen!.namespace}/${chosen!.ref.name} (first by namespace/name) is used and this one is ignored; delete one of them`,
    });
  }
  if (!chosen) {
    writeExt(ctx.ir, TracingServiceExt, null);
    return;
  }
  const request: ServiceRequest = {
    id: `feature-tracing/${chosen.namespace}/${chosen.ref.name}`,
    ref: chosen.ref,
    namespace: chosen.namespace,
    service: chosen.service,
    servicePath: '/spec/service',
    http2: chosen.driver === 'opentelemetry',
    namePrefix: 'cluster_tracing',
  };
  if (chosen.statsName !== undefined) request.statsName = chosen.statsName;
  requestServices(ctx.ir.ext, [request]);
  writeExt(ctx.ir, TracingServiceExt, { config: chosen, requestId: request.id });
}
