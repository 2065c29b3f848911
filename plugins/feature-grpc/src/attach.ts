import {
  HttpModelExt,
  type HttpRouteSource,
  type IRForwardAction,
  type IRRoute,
  KeptMatches,
  type PassContext,
  readExt,
  replaceHttpConnectionManagers,
  replaceRoutes,
} from '@attache/core';
import { moduleGrpcFilters } from './module-filters.js';
import { type GrpcRouteOptions, grpcRouteOptionsOf, hasGrpcRouteFields } from './route-options.js';

/** One route with this plugin's options applied (a copy; the original may be shared). */
export function withGrpcOptions(route: IRRoute, options: GrpcRouteOptions): IRRoute {
  const next: IRRoute = { ...route };
  if (options.match) {
    next.match = { ...route.match, path: options.match.path };
  }
  if (route.action.kind === 'forward') {
    const action: IRForwardAction = { ...route.action };
    if (options.match?.dropDefaultRewrite) delete action.prefixRewrite;
    if (options.maxStreamDuration)
      action.extra = { ...action.extra, max_stream_duration: options.maxStreamDuration };
    if (options.retryOn) {
      const before = action.retryPolicy?.retryOn;
      action.retryPolicy = {
        ...action.retryPolicy,
        retryOn: [...(before ? [before] : []), ...options.retryOn].join(','),
      };
    }
    next.action = action;
  }
  return next;
}

/** Under an incremental compiler, the route sources with gRPC route fields, kept (see KeptMatches). */
const keptRouteFields = {};
const withGrpcRouteFields = (source: HttpRouteSource) => hasGrpcRouteFields(source.spec);

/**
 * gRPC on the routes and connection managers the HTTP model built: the
 * Module's gRPC filters (HTTP/1.1 bridge, gRPC-Web, stats) on every HTTP
 * connection manager, and per Mapping its grpc_timeout, gRPC retry conditions
 * and grpc_match. (HTTP/2 clusters and gRPC health checks were contributed in ingest.)
 */
export function attachGrpc(ctx: PassContext, full = false): void {
  const model = readExt(ctx.ir, HttpModelExt);
  if (!model) return;

  // Only the Mappings with one of the fields: most have none (`full`: every Mapping).
  const sources = model.routeSources;
  const positions = full
    ? undefined
    : KeptMatches.of(ctx.memo, keptRouteFields, withGrpcRouteFields).in(sources);
  const count = positions ? positions.length : sources.length;
  let byRoute: Map<string, GrpcRouteOptions> | undefined;
  for (let k = 0; k < count; k++) {
    const source = sources[positions ? positions[k]! : k]!;
    const { options, problems } = grpcRouteOptionsOf(source.spec);
    for (const p of problems)
      ctx.report({ code: p.code, message: p.message, resource: source.ref, path: p.path });
    if (options) {
      byRoute ??= new Map();
      for (const name of source.routeNames) byRoute.set(name, options);
    }
  }
  if (byRoute !== undefined && byRoute.size > 0) {
    const options = byRoute;
    replaceRoutes(ctx.ir, (route) => {
      const found = options.get(route.name);
      return found ? withGrpcOptions(route, found) : route;
    });
  }

  if (model.module) {
    const { filters, problems } = moduleGrpcFilters(model.module.config, model.module.ref);
    for (const p of problems)
      ctx.report({ code: p.code, message: p.message, resource: model.module.ref, path: p.path });
    if (filters.length > 0) {
      replaceHttpConnectionManagers(ctx.ir, (hcm) => ({ ...hcm, filters: [...hcm.filters, ...filters] }));
    }
  }
}
