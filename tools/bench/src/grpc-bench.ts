import type { CompileResult, StoredResource } from '@attache/core';
import { grpcPlugin } from '@attache/plugin-feature-grpc';
import { type FeatureBench, runFeatureBench } from './feature-bench.js';

const usage = `usage: node tools/bench/dist/index.js grpc [--mappings N] [--hosts N] [--runs N] [--json]

What the feature-grpc plugin adds to a compile: the compile benchmark's input (default
10 TLS Hosts, 10,000 Mappings) compiled with http + envoy, then the same input with every
Mapping a gRPC one (grpc: true; one in four routed by grpc_match on its own service, half
of those to one method; one in three with grpc_timeout; one in five with gRPC retry
conditions; one in ten with a gRPC health check) and a Module with gRPC-Web, the HTTP/1.1
bridge and grpc_stats, compiled with http + feature-grpc + envoy. Runs alternate (base,
feature, base, …) in one process after a warm-up of each; reports medians of wall and
CPU time, the added cost, the feature-grpc passes' own CPU time and how much every other
pass changed (the HTTP/2 clusters are built by the http plugin from feature-grpc's
contributions, so their cost shows there).`;

/** The compile benchmark's input with every Mapping made a gRPC one. */
export function withGrpc(resources: readonly StoredResource[]): StoredResource[] {
  const out: StoredResource[] = [];
  let n = 0;
  for (const stored of resources) {
    const r = stored.resource;
    if (r.kind !== 'Mapping') {
      out.push(stored);
      continue;
    }
    const i = n++;
    const spec: Record<string, unknown> = { ...(r.spec as Record<string, unknown>), grpc: true };
    if (i % 4 === 0 && spec.prefix_regex !== true) {
      const service = `bench.v${i % 3}.Svc${i}`;
      spec.prefix = `/${service}/`;
      spec.grpc_match = i % 8 === 0 ? { service, method: 'Call' } : { service };
    }
    if (i % 3 === 0) {
      spec.timeout_ms = 0;
      spec.grpc_timeout = { header_max_ms: 30000 };
    }
    if (i % 5 === 0) {
      const policy = (spec.retry_policy as Record<string, unknown> | undefined) ?? {};
      spec.retry_policy = { ...policy, grpc_retry_on: ['unavailable', 'resource-exhausted'] };
    }
    if (i % 10 === 0) {
      spec.health_checks = [{ health_check: { grpc: { upstream_name: `bench.Svc${i}` } } }];
    }
    out.push({ ...stored, resource: { ...r, spec } });
  }
  out.push({
    resource: {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Module',
      metadata: { name: 'ambassador', namespace: 'edge' },
      spec: {
        config: {
          enable_grpc_web: true,
          enable_grpc_http11_bridge: true,
          grpc_stats: { services: [{ name: 'bench.v0.Svc0', method_names: ['Call'] }], upstream_stats: true },
        },
      },
    },
    origin: { source: 'bench', file: 'generated/grpc.yaml', line: 1 },
  });
  return out;
}

type Json = Record<string, unknown>;

/** HTTP/2 clusters, routes with max_stream_duration, and routes matched by an exact gRPC method path. */
function grpcFigures(result: CompileResult): Record<string, number> {
  let http2Clusters = 0;
  for (const c of result.xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'])
    if (JSON.stringify(c.resource).includes('http2_protocol_options')) http2Clusters++;
  let deadlineRoutes = 0;
  let methodRoutes = 0;
  for (const rc of result.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration']) {
    for (const vh of ((rc.resource as Json).virtual_hosts as Json[] | undefined) ?? []) {
      for (const route of (vh.routes as Json[] | undefined) ?? []) {
        if ((route.route as Json | undefined)?.max_stream_duration) deadlineRoutes++;
        const path = (route.match as Json | undefined)?.path;
        if (typeof path === 'string' && path.endsWith('/Call')) methodRoutes++;
      }
    }
  }
  return { http2Clusters, deadlineRoutes, methodRoutes };
}

export const grpcBench: FeatureBench = {
  name: 'grpc',
  usage,
  plugin: grpcPlugin,
  withFeature: withGrpc,
  describeInput: 'all gRPC (+ grpc_match, grpc_timeout, gRPC retries and health checks, Module gRPC filters)',
  baseLabel: 'plain HTTP Mappings',
  check: grpcFigures,
  checkLine: (c) =>
    `HTTP/2 clusters: ${c.http2Clusters}, routes with max_stream_duration: ${c.deadlineRoutes}, method routes: ${c.methodRoutes}`,
};

export const runGrpcBench = (argv: string[]): Promise<void> => runFeatureBench(grpcBench, argv);
