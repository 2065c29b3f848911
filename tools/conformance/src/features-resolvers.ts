import { type CompileResult, compile, type Plugin } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { readResources } from './compile-attache.js';
import {
  discoverFeatureCases,
  type FeatureCase,
  type FeaturePartsResult,
  judgeParts,
  printFeatureParts,
} from './feature-cases.js';
import {
  behaviourRoutes,
  clusterByBehaviour,
  comparePathSets,
  type FeaturePart,
  sideFromBootstrap,
  sideFromXds,
} from './filter-parts.js';
import { runCase } from './run-case.js';

/**
 * Resolver conformance (../shared/conformance/features/*-consul-*, *-resolver-*):
 * compiled with the http plugin (resolvers are part of the HTTP model; the
 * Consul source only fills endpoints later, over EDS), judged on routing like
 * every case and, part by part, on the upstream cluster of every route: its
 * behaviour (discovery type, LB policy, timeouts), and for EDS clusters the
 * exact service name Envoy asks EDS for (`consul/<datacenter>/<service>`,
 * `k8s/<namespace>/<service>/<port>`), which is what the endpoints must be
 * published under.
 */

type Json = Record<string, unknown>;
export type ResolverCase = FeatureCase;

export const resolverPlugins: Plugin[] = [httpPlugin, envoyPlugin];

export function discoverResolverCases(shared: string): ResolverCase[] {
  return discoverFeatureCases(shared, (dir) => /^\d+-(err-)?(consul|resolver|endpoint)/.test(dir));
}

/** Route path → its cluster(s) by behaviour, with the EDS service name. */
function routeClusters(side: ReturnType<typeof sideFromXds>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { path, route } of behaviourRoutes(side)) {
    const name = (route.route as Json | undefined)?.cluster;
    if (typeof name !== 'string') continue;
    const cluster = side.clusters.get(name);
    const view = {
      ...clusterByBehaviour(cluster),
      eds: ((cluster?.eds_cluster_config as Json | undefined)?.service_name as string | undefined) ?? null,
    };
    const set = out.get(path) ?? new Set<string>();
    set.add(JSON.stringify(view, Object.keys(view).sort()));
    out.set(path, set);
  }
  return out;
}

/** Every route's upstream cluster in Emissary's expected output and Attaché's, compared. */
export function compareResolverParts(expected: unknown, result: CompileResult): FeaturePart[] {
  return comparePathSets(
    'cluster',
    routeClusters(sideFromBootstrap(expected as Json)),
    routeClusters(sideFromXds(result.xds)),
  );
}

export type ResolverCaseResult = FeaturePartsResult;

export function runResolverCase(c: ResolverCase, plugins: Plugin[] = resolverPlugins): ResolverCaseResult {
  const compiler = (r: ReturnType<typeof readResources>) => compile(r, plugins);
  const routing = runCase(c, compiler);
  return judgeParts(
    routing,
    compareResolverParts(c.expected, compiler(c.inputs.flatMap(readResources))),
    'route clusters',
  );
}

/** One line per case, then the count. Returns the failed cases. */
export function printResolverResults(
  results: readonly ResolverCaseResult[],
  write: (s: string) => void,
): number {
  return printFeatureParts(results, write, {
    heading: 'Resolvers (features) — every route cluster by behaviour with its EDS service name, routing',
    name: 'resolver',
    always: ['cluster'],
  });
}
