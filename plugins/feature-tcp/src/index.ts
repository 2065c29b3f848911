/**
 * @attache/plugin-feature-tcp — Emissary's TCPMapping: TCP-only ports, and
 * TCP filter chains beside HTTP ones chosen by SNI (TLS termination or
 * passthrough), weighted between TCPMappings.
 */
export { type TcpDiagnosticCode, tcpDiagnosticCodes } from './codes.js';
export { TcpMappingsExt, type TcpMappingsFacts } from './ingest.js';
export { tcpPlugin } from './plugin.js';
export { readTcpMapping, type TcpMappingConfig } from './read-tcpmapping.js';
export { TcpCircuitBreaker, TcpMappingSpec } from './schema.js';
export { groupShares } from './weights.js';

/** Schemas by kind, for the CRD generator. */
import { TcpMappingSpec } from './schema.js';
export const tcpSpecSchemas = { TCPMapping: TcpMappingSpec } as const;
