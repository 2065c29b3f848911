import { definePlugin } from '@attache/core';
import { tcpDiagnosticCodes } from './codes.js';
import { ingestTcpMappings, tcpMappingKind } from './ingest.js';
import { attachTcpMappings } from './tcp-listeners.js';

/**
 * Emissary's TCPMapping: TCP-only listeners, and TCP filter chains beside the
 * HTTP ones on a port, chosen by SNI (TLS terminated by a Host or TLSContext
 * serving the name, or passed through). Reads the HTTP model only through
 * core's extension points (service requests, TLS-termination requests, the
 * Listener views).
 */
export const tcpPlugin = definePlugin({
  id: 'feature-tcp',
  description:
    'Emissary TCPMapping → tcp_proxy filter chains: TCP-only ports, and SNI chains beside HTTP ones (TLS termination or passthrough), weighted',
  owns: [tcpMappingKind],
  register(reg) {
    reg.diagnostics(tcpDiagnosticCodes);
    reg.pass({
      id: 'feature-tcp.ingest',
      phase: 'ingest',
      reason:
        'TCPMappings must ask in ingest for their clusters and for TLS termination of their SNI names, so the HTTP model resolves both in resolve',
      writes: ['edge.serviceRequests', 'edge.tlsTerminationRequests', 'feature-tcp.mappings'],
      run: ingestTcpMappings,
    });
    reg.pass({
      id: 'feature-tcp.attach',
      phase: 'attach',
      reason:
        'TCP chains join the listeners the HTTP model built (build phase) or get listeners of their own; it replaces listeners copy-on-write and depends on no other feature, so it declares no ir.* reads (a feature pass that reads them runs after it and sees the TCP chains)',
      reads: ['feature-tcp.mappings', 'edge.serviceGrants', 'edge.tlsTerminationGrants', 'edge.listeners'],
      writes: ['ir.listeners'],
      run: attachTcpMappings,
    });
  },
});
