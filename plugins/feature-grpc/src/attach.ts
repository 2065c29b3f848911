import {
  HttpModelExt,
  type IRForwardAction,
  type IRRoute,
  type PassContext,
  readExt,
  replaceHttpConnectionManagers,
  replaceRoutes,
} from '@attache/core';
import { moduleGrpcFilters } from './module-filters.js';
import { type GrpcRouteOptions, grpcRouteOptions } from './route-options.js';

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

/**
 * gRPC on the routes and connection managers the HTTP model built: the
 * Module's gRPC filters (HTTP/1.1 bridge, gRPC-Web, stats) on every HTTP
 * connection manager, and per Mapping its grpc_timeout, gRPC retry conditions
 * and grpc_match. (HTTP/2 clusters and gRPC health checks were contributed in ingest.)
 */
export function attachGrpc(ctx: PassContext): void {
  const model = readExt(ctx.ir, HttpModelExt);
  if (!model) return;

  const byRoute = new Map<string, GrpcRouteOptions>();
  for (const source of model.routeSources) {
    const { options, problems } = grpcRouteOptions(source.spec);
    for (const p of problems)
      ctx.report({ code: p.code, message: p.message, resource: source.ref, path: p.path });
    if (options) for (const name of source.routeNames) byRoute.set(name, options);
  }
  if (byRoute.size > 0) {
    replaceRoutes(ctx.ir, (route) => {
      const options = byRoute.get(route.name);
      return options ? withGrpcOptions(route, options) : route;
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
