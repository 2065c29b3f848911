import { type CompileResult, compile, type Plugin } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { grpcPlugin } from '@attache/plugin-feature-grpc';
import { httpPlugin } from '@attache/plugin-http';
import { readResources } from './compile-attache.js';
import {
  type DeliberatePartDifference,
  discoverFeatureCases,
  type FeatureCase,
  type FeaturePartsResult,
  judgeParts,
  printFeatureParts,
  withDeliberate,
} from './feature-cases.js';
import {
  behaviourRoutes,
  clusterByBehaviour,
  compareFeatureParts,
  comparePathSets,
  type FeatureFilter,
  type FeaturePart,
  sideFromBootstrap,
  sideFromXds,
} from './filter-parts.js';
import { runCase } from './run-case.js';

/**
 * gRPC conformance (../shared/conformance/features/*-grpc-*): compiled with
 * the http and feature-grpc plugins, judged on routing like every case, and on
 * the parts the gRPC feature produces, each counted: the HTTP filter order,
 * the config of each gRPC filter (grpc_web, grpc_http1_bridge, grpc_stats),
 * and the upstream cluster of every route by behaviour with its health
 * checks (HTTP/2, EDS service, gRPC health checker).
 */

type Json = Record<string, unknown>;
export type GrpcCase = FeatureCase;

export const grpcPlugins: Plugin[] = [httpPlugin, grpcPlugin, envoyPlugin];

/** The gRPC filters; none of them names a cluster or takes per-route config. */
export const grpcFilters: FeatureFilter[] = [
  { filter: 'envoy.filters.http.grpc_http1_bridge', clusterPaths: [] },
  { filter: 'envoy.filters.http.grpc_web', clusterPaths: [] },
  { filter: 'envoy.filters.http.grpc_stats', clusterPaths: [] },
];

export function discoverGrpcCases(shared: string): GrpcCase[] {
  return discoverFeatureCases(shared, (dir) => /^\d+-(err-)?grpc-/.test(dir));
}

/** Differences on purpose (docs/reference/grpc.md): case id prefix, part, key prefix → why. */
export const deliberateGrpcDifferences: DeliberatePartDifference[] = [
  {
    case: 'features/94-grpc-bridge-health',
    part: 'filter config',
    key: 'envoy.filters.http.grpc_stats',
    reason:
      'a grpc_stats service without method_names is left out with GRPC_STATS_SERVICE_INVALID: Emissary copies it and Envoy refuses every listener (errors.json oracle_note)',
  },
];

/**
 * Emissary's expected output as a running Emissary would serve it where the
 * two differ on purpose: a grpc_stats service without method_names is left
 * out (Envoy refuses it, and with it every listener). Routing is judged
 * against this; the filter-config part still compares the raw output and
 * counts the difference as deliberate.
 */
export function expectedAsServed(expected: unknown): unknown {
  return JSON.parse(JSON.stringify(expected), (key, value) => {
    if (key !== 'individual_method_stats_allowlist' || !Array.isArray(value?.services)) return value;
    return { ...value, services: (value.services as Json[]).filter((s) => Array.isArray(s?.method_names)) };
  });
}

/** A filter config that is only its '@type' says no more than Emissary's absent typed_config. */
function withoutBareTypes(side: ReturnType<typeof sideFromXds>): ReturnType<typeof sideFromXds> {
  return {
    ...side,
    chains: side.chains.map((c) => ({
      ...c,
      filters: c.filters.map((f) =>
        Object.keys(f.config).length === 1 && '@type' in f.config ? { ...f, config: {} } : f,
      ),
    })),
  };
}

/** Route path → the behaviour of the cluster(s) it sends to, with their health checks and EDS service. */
function routeClusters(side: ReturnType<typeof sideFromXds>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { path, route } of behaviourRoutes(side)) {
    const name = (route.route as Json | undefined)?.cluster;
    if (typeof name !== 'string') continue;
    const cluster = side.clusters.get(name);
    const view = {
      ...clusterByBehaviour(cluster),
      eds: ((cluster?.eds_cluster_config as Json | undefined)?.service_name as string | undefined) ?? null,
      health_checks: ((cluster?.health_checks as Json[] | undefined) ?? []).map((h) =>
        JSON.parse(
          JSON.stringify(h, (_k, v) =>
            typeof v === 'string' && /^\d+(\.\d+)?s$/.test(v) ? `${Number(v.slice(0, -1))}s` : v,
          ),
        ),
      ),
    };
    const set = out.get(path) ?? new Set<string>();
    set.add(JSON.stringify(view, Object.keys(view).sort()));
    out.set(path, set);
  }
  return out;
}

export type GrpcCaseResult = FeaturePartsResult;

/** The gRPC parts of Emissary's expected output and Attaché's, compared. */
export function compareGrpcParts(expected: unknown, result: CompileResult): FeaturePart[] {
  const e = withoutBareTypes(sideFromBootstrap(expected as Json));
  const a = withoutBareTypes(sideFromXds(result.xds));
  // Filter order and each gRPC filter's config (their cluster and per-route parts do not exist).
  const parts = compareFeatureParts(e, a, grpcFilters).filter(
    (p) => p.part === 'filter order' || p.part === 'filter config',
  );
  return [...parts, ...comparePathSets('cluster', routeClusters(e), routeClusters(a))];
}

export function runGrpcCase(c: GrpcCase, plugins: Plugin[] = grpcPlugins): GrpcCaseResult {
  const compiler = (r: ReturnType<typeof readResources>) => compile(r, plugins);
  const routing = runCase({ ...c, expected: expectedAsServed(c.expected) }, compiler);
  const result = compiler(c.inputs.flatMap(readResources));
  const parts = withDeliberate(c.id, compareGrpcParts(c.expected, result), deliberateGrpcDifferences);
  return judgeParts(routing, parts, 'gRPC parts');
}

/** The table the runner prints: one line per case, then the counts per part. Returns the failed cases. */
export function printGrpcResults(results: readonly GrpcCaseResult[], write: (s: string) => void): number {
  return printFeatureParts(results, write, {
    heading:
      'gRPC (features) — filter order, gRPC filter configs, route clusters (HTTP/2, health checks), routing',
    name: 'gRPC',
  });
}
