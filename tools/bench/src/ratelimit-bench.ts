import type { CompileResult, StoredResource } from '@attache/core';
import { ratelimitPlugin } from '@attache/plugin-feature-ratelimit';
import { type FeatureBench, runFeatureBench } from './feature-bench.js';

const usage = `usage: node tools/bench/dist/index.js ratelimit [--mappings N] [--hosts N] [--runs N] [--json]

What the feature-ratelimit plugin adds to a compile: the compile benchmark's input
(default 10 TLS Hosts, 10,000 Mappings) compiled with http + envoy, then the same input
with labels on every Mapping (all five action kinds, v3alpha1), local_rate_limit on one
Mapping in ten and on every Host, a RateLimitService and Module default_labels, compiled
with http + feature-ratelimit + envoy. Runs alternate (base, feature, base, …) in one
process after a warm-up of each; reports medians of wall and CPU time, the added cost,
the feature-ratelimit passes' own CPU time and how much every other pass changed.`;

/** The compile benchmark's input plus rate-limit configuration on every Mapping and Host. */
export function withRateLimits(resources: readonly StoredResource[]): StoredResource[] {
  const out: StoredResource[] = [];
  let n = 0;
  for (const stored of resources) {
    const r = stored.resource;
    if (r.kind === 'Mapping') {
      const i = n++;
      const spec = { ...(r.spec as Record<string, unknown>) };
      const groups: Array<Record<string, unknown[]>> = [
        { 'per-client': [{ remote_address: { key: 'remote_address' } }] },
        {
          'per-tenant': [
            { request_headers: { key: 'tenant', header_name: 'x-tenant' } },
            { generic_key: { key: 'route', value: `m${i}` } },
          ],
        },
      ];
      if (i % 3 === 0)
        groups.push({
          clusters: [
            { source_cluster: { key: 'source_cluster' } },
            { destination_cluster: { key: 'destination_cluster' } },
          ],
        });
      spec.labels = { edge: groups };
      if (i % 10 === 0) spec.local_rate_limit = { max_tokens: 100, fill_interval_ms: 1000 };
      out.push({ ...stored, resource: { ...r, spec } });
    } else if (r.kind === 'Host') {
      const spec = { ...(r.spec as Record<string, unknown>), local_rate_limit: { max_tokens: 1000 } };
      out.push({ ...stored, resource: { ...r, spec } });
    } else out.push(stored);
  }
  const origin = { source: 'bench', file: 'generated/ratelimit.yaml', line: 1 };
  out.push(
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'RateLimitService',
        metadata: { name: 'ratelimit', namespace: 'edge' },
        spec: { service: 'ratelimit.edge:8081', protocol_version: 'v3', domain: 'edge', timeout_ms: 50 },
      },
      origin,
    },
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'edge' },
        spec: { config: { default_labels: { edge: { defaults: [{ generic_key: { value: 'edge' } }] } } } },
      },
      origin,
    },
  );
  return out;
}

/** Routes with rate_limits, across all route configurations. */
function limitedRoutes(result: CompileResult): number {
  let count = 0;
  for (const rc of result.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration']) {
    const vhs = (
      rc.resource as { virtual_hosts?: Array<{ routes?: Array<{ route?: { rate_limits?: unknown[] } }> }> }
    ).virtual_hosts;
    for (const vh of vhs ?? [])
      for (const route of vh.routes ?? []) if ((route.route?.rate_limits?.length ?? 0) > 0) count++;
  }
  return count;
}

export const rateLimitBench: FeatureBench = {
  name: 'ratelimit',
  usage,
  plugin: ratelimitPlugin,
  withFeature: withRateLimits,
  describeInput: 'with labels (+ RateLimitService, default_labels, local_rate_limit)',
  baseLabel: 'no rate-limit configuration',
  check: (result) => ({ routesWithRateLimits: limitedRoutes(result) }),
  checkLine: (c) => `routes with rate_limits: ${c.routesWithRateLimits}`,
};

export const runRateLimitBench = (argv: string[]): Promise<void> => runFeatureBench(rateLimitBench, argv);
