/**
 * @attache/plugin-feature-tracing — Emissary's TracingService: request tracing
 * (Zipkin, OpenTelemetry, Datadog) on every HTTP connection manager.
 */
export { type TracingDiagnosticCode, tracingDiagnosticCodes } from './codes.js';
export { type ChosenTracingService, TracingServiceExt, tracingServiceKind } from './ingest.js';
export { tracingPlugin } from './plugin.js';
export {
  hcmTracing,
  readTracingService,
  type TracingDriver,
  type TracingServiceConfig,
  TracingServiceSpec,
  tracingProvider,
} from './tracingservice.js';

/** Schemas by kind, for the CRD generator. */
import { TracingServiceSpec } from './tracingservice.js';
export const tracingSpecSchemas = { TracingService: TracingServiceSpec } as const;
