import { definePlugin } from '@attache/core';
import { attachLogService } from './attach.js';
import { loggingDiagnosticCodes } from './codes.js';
import { ingestLogServices, logServiceKind } from './ingest.js';

/**
 * Emissary's LogService: Envoy's gRPC access log service on every HTTP
 * connection manager and every tcp_proxy, with its cluster. Reads nothing of
 * another plugin but core's extension points (service requests, access loggers).
 */
export const loggingPlugin = definePlugin({
  id: 'feature-logging',
  description:
    "Emissary LogService → Envoy's gRPC access log (http_grpc / tcp_grpc) on every connection manager and tcp_proxy",
  owns: [logServiceKind],
  register(reg) {
    reg.diagnostics(loggingDiagnosticCodes);
    reg.pass({
      id: 'feature-logging.ingest',
      phase: 'ingest',
      reason:
        'the LogService must ask for its cluster in ingest, so the HTTP model resolves it with the other services in resolve',
      writes: ['edge.serviceRequests', 'feature-logging.service'],
      run: ingestLogServices,
    });
    reg.pass({
      id: 'feature-logging.attach',
      phase: 'attach',
      reason:
        'the cluster is granted in resolve; the loggers go to IR.accessLoggers, which lowering puts on every chain whoever built it, so this pass touches no listener',
      reads: ['edge.serviceGrants', 'feature-logging.service'],
      writes: ['ir.accessLoggers'],
      run: attachLogService,
    });
  },
});
