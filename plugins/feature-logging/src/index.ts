/**
 * @attache/plugin-feature-logging — Emissary's LogService: Envoy's gRPC access
 * log service on every HTTP connection manager and tcp_proxy.
 */
export { type LoggingDiagnosticCode, loggingDiagnosticCodes } from './codes.js';
export { type ChosenLogService, LogServiceExt, logServiceKind } from './ingest.js';
export { type LogServiceConfig, LogServiceSpec, readLogService } from './logservice.js';
export { loggingPlugin } from './plugin.js';

/** Schemas by kind, for the CRD generator. */
import { LogServiceSpec } from './logservice.js';
export const loggingSpecSchemas = { LogService: LogServiceSpec } as const;
