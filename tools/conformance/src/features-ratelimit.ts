import { type CompileResult, compareStrings, compile, type Plugin, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { buildEnvoyModel, type EnvoyModel } from '@attache/explain';
import { ratelimitPlugin } from '@attache/plugin-feature-ratelimit';
import { httpPlugin } from '@attache/plugin-http';
import { canon } from './canon.js';
import { clusterBehaviour } from './cluster-identity.js';
import { readResources } from './compile-attache.js';
import {
  discoverFeatureCases,
  type FeatureCase,
  type FeatureCheck,
  type FeatureCheckResult,
  printFeatureChecks,
  routingCheck,
  sameJson,
  showJson,
} from './feature-cases.js';
import { standInCertificate, withParseableSecrets } from './on-envoy/placeholder-secrets.js';
import { runCase } from './run-case.js';

/**
 * RateLimitService conformance (../shared/conformance/features/*ratelimit*):
 * beyond routing probes, the parts the rate-limit feature produces must match
 * what Emissary's compiler produced, each counted as one check per case:
 *
 * - `filter`: the ratelimit HTTP filter's config (domain, timeout, failure mode,
 *   request type, transport version), its service cluster compared by behaviour;
 * - `position`: where the filter sits among the HTTP filters both sides have;
 * - `rate_limits`: the route-level rate_limits of every route, by route prefix
 *   (Emissary's own /ambassador/v0/ routes left out);
 * - `clusters`: the rate-limit service's cluster (target, HTTP/2, TLS, settings).
 *
 * A case without a RateLimitService on one side (an error case) must have none
 * on the other: no filter, no rate_limits anywhere.
 */

export const ratelimitPlugins: Plugin[] = [httpPlugin, ratelimitPlugin, envoyPlugin];

/** The features cases about rate limiting, as envoy cases (input.yaml + expected.json). */
export function discoverRateLimitCases(shared: string): FeatureCase[] {
  return discoverFeatureCases(shared, (dir) => dir.includes('ratelimit'));
}

type Json = Record<string, unknown>;

interface Hcm {
  listener: string;
  filters: Json[];
  routeConfig: Json | undefined;
}

/** Every HTTP connection manager of a side, with its route table (inline or by RDS name). */
function connectionManagers(listeners: Json[], routeConfigs: Map<string, Json>): Hcm[] {
  const out: Hcm[] = [];
  for (const l of listeners) {
    const name = String(l.name ?? '');
    if (name.startsWith('ambassador-')) continue; // Emissary's own readiness listener
    const chains = [...((l.filter_chains as Json[] | undefined) ?? [])];
    if (l.default_filter_chain) chains.push(l.default_filter_chain as Json);
    for (const chain of chains) {
      for (const f of (chain.filters as Json[] | undefined) ?? []) {
        const tc = f.typed_config as Json | undefined;
        if (!tc || !String(tc['@type'] ?? '').endsWith('HttpConnectionManager')) continue;
        const rds = tc.rds as { route_config_name?: string } | undefined;
        out.push({
          listener: name,
          filters: (tc.http_filters as Json[] | undefined) ?? [],
          routeConfig:
            (tc.route_config as Json | undefined) ?? routeConfigs.get(rds?.route_config_name ?? ''),
        });
      }
    }
  }
  return out;
}

interface SideView {
  model: EnvoyModel;
  hcms: Hcm[];
}

function expectedSide(expected: unknown): SideView {
  const sr = (expected as { static_resources?: { listeners?: Json[] } }).static_resources ?? {};
  return {
    model: buildEnvoyModel({ bootstrap: expected }),
    hcms: connectionManagers(sr.listeners ?? [], new Map()),
  };
}

function actualSide(result: CompileResult): SideView {
  const xds = result.xds as unknown as Record<string, Array<{ name: string; resource: Json }>>;
  const routeConfigs = new Map(
    (xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'] ?? []).map((r) => [
      r.name,
      r.resource,
    ]),
  );
  const listeners = (xds['type.googleapis.com/envoy.config.listener.v3.Listener'] ?? []).map(
    (l) => l.resource,
  );
  return {
    model: buildEnvoyModel({ xds: result.xds, ir: result.ir }),
    hcms: connectionManagers(listeners, routeConfigs),
  };
}

const filterName = 'envoy.filters.http.ratelimit';

/** Distinct values, canonical JSON, sorted. */
function distinct(values: unknown[]): string[] {
  return [...new Set(values.map((v) => JSON.stringify(canon(v) ?? null)))].sort(compareStrings);
}

function rateLimitFilters(side: SideView): Json[] {
  return side.hcms.flatMap((h) => h.filters.filter((f) => f.name === filterName));
}

/** The filter's config with its cluster replaced by the cluster's behaviour. */
function filterView(side: SideView, filter: Json): unknown {
  const config = structuredClone((filter.typed_config as Json | undefined) ?? {});
  const service = config.rate_limit_service as
    | { grpc_service?: { envoy_grpc?: { cluster_name?: string } } }
    | undefined;
  const cluster = service?.grpc_service?.envoy_grpc?.cluster_name;
  if (service?.grpc_service?.envoy_grpc && cluster !== undefined) {
    (service.grpc_service.envoy_grpc as Json).cluster_name = clusterBehaviour(
      side.model.clusters.get(cluster),
      cluster,
    );
  }
  return config;
}

function clusterView(side: SideView, filter: Json): unknown {
  const cluster = (filter.typed_config as Json | undefined)?.rate_limit_service as
    | { grpc_service?: { envoy_grpc?: { cluster_name?: string } } }
    | undefined;
  const name = cluster?.grpc_service?.envoy_grpc?.cluster_name ?? '';
  return clusterBehaviour(side.model.clusters.get(name), name);
}

/** The filter names both sides have, in this side's order (so position is compared among shared filters). */
function positions(side: SideView, shared: Set<string>): string[] {
  return distinct(side.hcms.map((h) => h.filters.map((f) => String(f.name)).filter((n) => shared.has(n))));
}

/** Route prefix (or path / regex) → the distinct rate_limits its routes carry. */
function rateLimitsByRoute(side: SideView): Map<string, string[]> {
  const byKey = new Map<string, unknown[]>();
  for (const h of side.hcms) {
    for (const vh of (h.routeConfig?.virtual_hosts as Json[] | undefined) ?? []) {
      for (const r of (vh.routes as Json[] | undefined) ?? []) {
        const match = (r.match as Json | undefined) ?? {};
        const key = String(
          match.prefix ?? match.path ?? (match.safe_regex as Json | undefined)?.regex ?? '?',
        );
        if (key.startsWith('/ambassador/v0/')) continue;
        const limits = (r.route as Json | undefined)?.rate_limits;
        const list = byKey.get(key) ?? [];
        list.push(limits ?? null);
        byKey.set(key, list);
      }
    }
  }
  return new Map([...byKey].map(([k, v]) => [k, distinct(v)]));
}

export type RateLimitCheck = FeatureCheck<'filter' | 'position' | 'rate_limits' | 'clusters'>;
export type RateLimitCaseResult = FeatureCheckResult<RateLimitCheck['part']>;

/** Compares the rate-limit parts of Emissary's expected output with Attaché's for one case. */
export function compareRateLimitParts(expectedConfig: unknown, result: CompileResult): RateLimitCheck[] {
  const expected = expectedSide(expectedConfig);
  const actual = actualSide(result);
  const checks: RateLimitCheck[] = [];
  const ef = rateLimitFilters(expected);
  const af = rateLimitFilters(actual);

  const eFilter = distinct(ef.map((f) => filterView(expected, f)));
  const aFilter = distinct(af.map((f) => filterView(actual, f)));
  checks.push({
    part: 'filter',
    ok: sameJson(eFilter, aFilter),
    detail: sameJson(eFilter, aFilter)
      ? `${ef.length > 0 ? 'ratelimit filter equal' : 'no ratelimit filter on either side'}`
      : `Emissary ${showJson(eFilter, 300)} vs Attaché ${showJson(aFilter, 300)}`,
  });

  const names = (s: SideView) => new Set(s.hcms.flatMap((h) => h.filters.map((f) => String(f.name))));
  const eNames = names(expected);
  const aNames = names(actual);
  const shared = new Set([...eNames].filter((n) => aNames.has(n)));
  const ePos = positions(expected, shared);
  const aPos = positions(actual, shared);
  checks.push({
    part: 'position',
    ok: sameJson(ePos, aPos) && eNames.has(filterName) === aNames.has(filterName),
    detail: sameJson(ePos, aPos)
      ? `filter order ${showJson(ePos, 300)}`
      : `Emissary ${showJson(ePos, 300)} vs Attaché ${showJson(aPos, 300)}`,
  });

  const eRoutes = rateLimitsByRoute(expected);
  const aRoutes = rateLimitsByRoute(actual);
  const keys = [...new Set([...eRoutes.keys(), ...aRoutes.keys()])].sort(compareStrings);
  const differing = keys.filter((k) => !sameJson(eRoutes.get(k) ?? ['null'], aRoutes.get(k) ?? ['null']));
  checks.push({
    part: 'rate_limits',
    ok: differing.length === 0,
    detail:
      differing.length === 0
        ? `${keys.length} route prefixes agree`
        : `route ${differing[0]}: Emissary ${showJson(eRoutes.get(differing[0]!), 300)} vs Attaché ${showJson(aRoutes.get(differing[0]!), 300)}`,
  });

  const eClusters = distinct(ef.map((f) => clusterView(expected, f)));
  const aClusters = distinct(af.map((f) => clusterView(actual, f)));
  checks.push({
    part: 'clusters',
    ok: sameJson(eClusters, aClusters),
    detail: sameJson(eClusters, aClusters)
      ? `${eClusters.length} rate-limit cluster(s) equal by behaviour`
      : `Emissary ${showJson(eClusters, 300)} vs Attaché ${showJson(aClusters, 300)}`,
  });
  return checks;
}

/**
 * Compiles one case with http + feature-ratelimit + envoy and compares the
 * rate-limit parts, then the routing (summaries and probes) as for every case.
 */
export function runRateLimitCase(c: FeatureCase, plugins: Plugin[] = ratelimitPlugins): RateLimitCaseResult {
  try {
    const resources: StoredResource[] = c.inputs.flatMap(readResources);
    const result = compile(withParseableSecrets(resources, standInCertificate()).resources, plugins);
    const routing = runCase(c, (r) => compile(r, plugins));
    return {
      id: c.id,
      checks: [
        ...compareRateLimitParts(c.expected, result),
        // The general summary would only repeat the filter's cluster name, compared by behaviour above.
        routingCheck(routing),
      ],
    };
  } catch (e) {
    return {
      id: c.id,
      checks: [{ part: 'filter', ok: false, detail: `compile threw: ${(e as Error).message}` }],
    };
  }
}

/** Prints one line per check and a count; returns the number of failed checks. */
export function printRateLimitResults(results: RateLimitCaseResult[], write: (s: string) => void): number {
  return printFeatureChecks(results, write, {
    heading:
      'RateLimitService (features) — filter config, filter position, route rate_limits, clusters, routing',
    name: 'ratelimit',
    partWidth: 11,
  });
}
