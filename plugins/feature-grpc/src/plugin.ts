import { definePlugin, HttpModelExt, UpstreamContributionsExt } from '@attache/core';
import { attachGrpc } from './attach.js';
import { grpcDiagnosticCodes } from './codes.js';
import { GrpcPluginConfig } from './config.js';
import { serveProxyless } from './proxyless.js';
import { grpcFieldExtensions } from './schemas.js';
import { contributeGrpcUpstreams } from './upstreams.js';

/**
 * First-class gRPC on the HTTP edge: Emissary's `grpc: true` Mappings (HTTP/2
 * clusters, gRPC health checks), the Module's gRPC-Web, HTTP/1.1 bridge and
 * gRPC stats filters, and beyond Emissary grpc-timeout, gRPC retry
 * conditions and method-level matching. Reads the HTTP model only through
 * core's extension points.
 */
export const grpcPlugin = definePlugin<GrpcPluginConfig>({
  id: 'feature-grpc',
  description:
    'Mapping grpc (HTTP/2 upstream, gRPC health checks, grpc_timeout, grpc_match, gRPC retry_on); Module enable_grpc_web, enable_grpc_http11_bridge, grpc_stats; proxyless gRPC targets (API listeners + RDS + EDS)',
  configSchema: GrpcPluginConfig,
  register(reg) {
    reg.diagnostics(grpcDiagnosticCodes);
    reg.fields(grpcFieldExtensions);
    reg.pass({
      id: 'feature-grpc.contribute-upstreams',
      phase: 'ingest',
      reason:
        "HTTP/2 and gRPC health checks are part of a Mapping's cluster identity, so they are contributed in ingest, before the HTTP model resolves services into clusters (resolve)",
      writes: [UpstreamContributionsExt.key],
      run: (ctx) => contributeGrpcUpstreams(ctx),
    });
    reg.pass({
      id: 'feature-grpc.attach',
      phase: 'attach',
      reason:
        'gRPC filters join the connection managers and gRPC options the routes the HTTP model built (build phase); it edits copy-on-write and depends on no other feature, so it declares no ir.* reads',
      reads: [HttpModelExt.key],
      writes: ['ir.routeConfigs', 'ir.listeners'],
      run: (ctx) => attachGrpc(ctx),
    });
    reg.pass({
      id: 'feature-grpc.proxyless',
      phase: 'lower',
      reason:
        "API listeners have no place in the IR (Envoy's LDS ignores them): the resources gRPC clients ask for are lowered from the finished routes and clusters and emitted beside Envoy's",
      reads: [HttpModelExt.key, 'ir.routeConfigs', 'ir.clusters', 'ir.endpoints'],
      writes: [],
      run: serveProxyless,
    });
  },
});
