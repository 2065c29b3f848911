import { fileURLToPath } from 'node:url';
import { type CompileResult, compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { goldenDiagnostics, goldenSuite } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { tcpPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: a view over Envoy JSON of many shapes, read field by field
type Json = Record<string, any>;

/**
 * What a TCP golden shows: every listener (address, listener filters) with each
 * filter chain's match, TLS termination (which certificate, or none: passthrough
 * or plain) and its tcp_proxy (an HTTP chain only by its route configuration),
 * the clusters tcp_proxy filters name, and the diagnostics.
 */
export function tcpView(result: CompileResult) {
  const xds = result.xds as unknown as Record<string, Array<{ name: string; resource: Json }>>;
  const used = new Set<string>();
  const listeners = (xds['type.googleapis.com/envoy.config.listener.v3.Listener'] ?? []).map((l) => ({
    listener: l.name,
    address: `${l.resource.address.socket_address.address}:${l.resource.address.socket_address.port_value}`,
    ...(l.resource.listener_filters
      ? { listener_filters: l.resource.listener_filters.map((f: Json) => f.name) }
      : {}),
    filter_chains: (l.resource.filter_chains ?? []).map((fc: Json) => {
      const filter = fc.filters[0];
      const tcp = filter.name === 'envoy.filters.network.tcp_proxy' ? filter.typed_config : undefined;
      if (tcp?.cluster) used.add(tcp.cluster);
      for (const c of tcp?.weighted_clusters?.clusters ?? []) used.add(c.name);
      const tls = fc.transport_socket?.typed_config?.common_tls_context;
      return {
        name: fc.name,
        match: fc.filter_chain_match ?? {},
        ...(tls ? { terminate_tls: tls } : {}),
        ...(tcp ? { tcp_proxy: tcp } : { http: filter.typed_config.rds?.route_config_name ?? 'inline' }),
      };
    }),
  }));
  const clusters = (xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'] ?? [])
    .filter((c) => used.has(c.name))
    .map((c) => c.resource);
  return { out: { listeners, clusters }, diagnostics: goldenDiagnostics(result.diagnostics) };
}

export function compileWithTcp(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, tcpPlugin, envoyPlugin], {});
}

describe('feature-tcp golden cases', () => {
  goldenSuite(dir, (resources) => tcpView(compileWithTcp(resources)), { it, expect });
});
