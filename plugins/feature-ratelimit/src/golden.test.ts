import { fileURLToPath } from 'node:url';
import { type CompileResult, compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { goldenDiagnostics, goldenSuite } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { ratelimitPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: a view over Envoy JSON of many shapes, read field by field
type Json = Record<string, any>;

/**
 * What a rate-limit golden shows: the HTTP filters of each listener (with the
 * rate-limit filters' configs), every route's rate_limits and local_ratelimit
 * config (and each virtual host's), the rate-limit service's cluster, and the
 * diagnostics. Everything else is the http plugin's and has its own goldens.
 */
export function ratelimitView(result: CompileResult) {
  const xds = result.xds as unknown as Record<string, Array<{ name: string; resource: Json }>>;
  const listeners = (xds['type.googleapis.com/envoy.config.listener.v3.Listener'] ?? []).map((l) => ({
    listener: l.name,
    http_filters: (l.resource.filter_chains ?? []).flatMap((fc: Json) =>
      (fc.filters ?? []).flatMap((f: Json) =>
        (f.typed_config?.http_filters ?? []).map((h: Json) => (h.name.includes('ratelimit') ? h : h.name)),
      ),
    ),
  }));
  const routes = (xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'] ?? []).flatMap((rc) =>
    (rc.resource.virtual_hosts ?? []).map((vh: Json) => ({
      virtual_host: `${rc.name} ${vh.name}`,
      ...(vh.typed_per_filter_config ? { typed_per_filter_config: vh.typed_per_filter_config } : {}),
      routes: (vh.routes ?? []).map((r: Json) => ({
        match: r.match,
        ...(r.route?.rate_limits ? { rate_limits: r.route.rate_limits } : {}),
        ...(r.typed_per_filter_config ? { typed_per_filter_config: r.typed_per_filter_config } : {}),
      })),
    })),
  );
  const clusters = (xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'] ?? [])
    .filter((c) => /^cluster_(ratelimit|rl)/.test(c.name))
    .map((c) => c.resource);
  return { out: { listeners, routes, clusters }, diagnostics: goldenDiagnostics(result.diagnostics) };
}

export function compileWithRatelimit(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, ratelimitPlugin, envoyPlugin], {});
}

describe('feature-ratelimit golden cases', () => {
  goldenSuite(dir, (resources) => ratelimitView(compileWithRatelimit(resources)), { it, expect });
});
