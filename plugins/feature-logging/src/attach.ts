import { addAccessLogger, type PassContext, readExt, ServiceGrantsExt } from '@attache/core';
import { LogServiceExt } from './ingest.js';
import { httpLogger, tcpLogger } from './logservice.js';

/**
 * The LogService's gRPC access log on every HTTP connection manager (http_grpc
 * for driver http, tcp_grpc for driver tcp, as Emissary) and a tcp_grpc log on
 * every tcp_proxy, through core's `IR.accessLoggers`: whichever plugin built a
 * chain, lowering gives it the logger.
 */
export function attachLogService(ctx: PassContext): void {
  const chosen = readExt(ctx.ir, LogServiceExt);
  if (!chosen) return;
  const grant = readExt(ctx.ir, ServiceGrantsExt)?.[chosen.requestId];
  if (!grant) {
    ctx.report({
      code: 'LOGSERVICE_NO_CLUSTER',
      resource: chosen.config.ref,
      path: '/spec/service',
      message:
        'no plugin resolves services in this distribution (the http plugin is not loaded), so the LogService has no cluster and is ignored',
    });
    return;
  }
  if (!('cluster' in grant)) return; // the resolver reported why on the LogService
  const key = `feature-logging/${chosen.config.namespace}/${chosen.config.ref.name}`;
  const provenance = [chosen.config.ref];
  addAccessLogger(ctx.ir, `${key}/http`, {
    on: 'http',
    ...httpLogger(chosen.config, grant.cluster),
    provenance,
  });
  addAccessLogger(ctx.ir, `${key}/tcp`, {
    on: 'tcp',
    ...tcpLogger(chosen.config, grant.cluster),
    provenance,
  });
}
