/**
 * @attache/plugin-feature-grpc — first-class gRPC on the HTTP edge: Emissary's
 * `grpc: true` Mappings, gRPC health checks, gRPC-Web, the HTTP/1.1 bridge and
 * gRPC stats; grpc-timeout, gRPC retry conditions and method-level matching.
 */
export { type GrpcDiagnosticCode, grpcDiagnosticCodes } from './codes.js';
export { GrpcPluginConfig, ProxylessTarget } from './config.js';
export { grpcStatsConfig, moduleGrpcFilters } from './module-filters.js';
export { grpcPlugin } from './plugin.js';
export { grpcApiListener, proxylessClusterName, proxylessRouteConfigName } from './proxyless.js';
export { type GrpcRouteOptions, grpcRouteOptions } from './route-options.js';
export { GrpcMatch, GrpcTimeout, grpcFieldExtensions, grpcRetryConditions } from './schemas.js';
