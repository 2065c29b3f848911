import type { CompileResult, StoredResource } from '@attache/core';
import { featureAuthPlugin } from '@attache/plugin-feature-auth';
import { type FeatureBench, runFeatureBench } from './feature-bench.js';

const usage = `usage: node tools/bench/dist/index.js auth [--mappings N] [--hosts N] [--runs N] [--json]

What the feature-auth plugin adds to a compile: the compile benchmark's input
(default 10 TLS Hosts, 10,000 Mappings) compiled with http + envoy, then the same input
with a global gRPC AuthService, a named HTTP AuthService chosen by the first Host, bypass_auth
on one Mapping in ten, auth_context_extensions on one in seven and auth_service on one in
a hundred, compiled with http + feature-auth + envoy. Runs alternate (base, feature, base, …)
in one process after a warm-up of each; reports medians of wall and CPU time, the added
cost, the feature-auth passes' own CPU time and how much every other pass changed.`;

/** The compile benchmark's input plus AuthServices and the auth fields on Mappings and one Host. */
export function withAuth(resources: readonly StoredResource[]): StoredResource[] {
  const out: StoredResource[] = [];
  let n = 0;
  let firstHost = true;
  for (const stored of resources) {
    const r = stored.resource;
    if (r.kind === 'Mapping') {
      const i = n++;
      const spec = { ...(r.spec as Record<string, unknown>) };
      if (i % 10 === 0) spec.bypass_auth = true;
      else if (i % 7 === 0) spec.auth_context_extensions = { route: `m${i}`, tier: 'gold' };
      if (i % 100 === 1) spec.auth_service = 'partner-auth.edge';
      out.push({ ...stored, resource: { ...r, spec } });
    } else if (r.kind === 'Host' && firstHost) {
      firstHost = false;
      const spec = { ...(r.spec as Record<string, unknown>), auth_service: 'partner-auth.edge' };
      out.push({ ...stored, resource: { ...r, spec } });
    } else out.push(stored);
  }
  const origin = { source: 'bench', file: 'generated/auth.yaml', line: 1 };
  out.push(
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'AuthService',
        metadata: { name: 'authn', namespace: 'edge' },
        spec: { auth_service: 'ext-authz.edge:9000', proto: 'grpc', protocol_version: 'v3', timeout_ms: 500 },
      },
      origin,
    },
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'AuthService',
        metadata: { name: 'partner-auth', namespace: 'edge' },
        spec: {
          auth_service: 'partner-auth.edge:3000',
          path_prefix: '/check',
          allowed_request_headers: ['x-tenant'],
          scope: 'named',
        },
      },
      origin,
    },
  );
  return out;
}

/** Routes whose typed_per_filter_config mentions ext_authz, across all route configurations. */
function authRoutes(result: CompileResult): number {
  let count = 0;
  for (const rc of result.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration']) {
    const vhs = (
      rc.resource as { virtual_hosts?: Array<{ routes?: Array<{ typed_per_filter_config?: object }> }> }
    ).virtual_hosts;
    for (const vh of vhs ?? [])
      for (const route of vh.routes ?? [])
        if (Object.keys(route.typed_per_filter_config ?? {}).some((k) => k.includes('ext_authz'))) count++;
  }
  return count;
}

export const authBench: FeatureBench = {
  name: 'auth',
  usage,
  plugin: featureAuthPlugin,
  withFeature: withAuth,
  describeInput: '(+ a global and a named AuthService, bypass_auth, context extensions, auth_service)',
  baseLabel: 'no auth',
  check(result) {
    const filters = JSON.stringify(
      result.xds['type.googleapis.com/envoy.config.listener.v3.Listener'].map((l) => l.resource),
    ).match(/"name":"envoy\.filters\.http\.ext_authz[^"]*"/g)?.length;
    return { routesWithAuthConfig: authRoutes(result), extAuthzFilters: filters ?? 0 };
  },
  checkLine: (c) =>
    `routes with ext_authz per-route config: ${c.routesWithAuthConfig}; ext_authz filters in listeners: ${c.extAuthzFilters}`,
};

export const runAuthBench = (argv: string[]): Promise<void> => runFeatureBench(authBench, argv);
