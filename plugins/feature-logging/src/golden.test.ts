import { fileURLToPath } from 'node:url';
import { type CompileResult, compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { goldenDiagnostics, goldenSuite } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { loggingPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: a view over Envoy JSON of many shapes, read field by field
type Json = Record<string, any>;

/**
 * What a logging golden shows: every access log of every connection manager
 * and tcp_proxy, the log service's cluster, and the diagnostics. Everything
 * else is the http plugin's and has its own goldens.
 */
export function loggingView(result: CompileResult) {
  const xds = result.xds as unknown as Record<string, Array<{ name: string; resource: Json }>>;
  const listeners = (xds['type.googleapis.com/envoy.config.listener.v3.Listener'] ?? []).map((l) => ({
    listener: l.name,
    access_logs: [
      ...(l.resource.filter_chains ?? []),
      ...(l.resource.default_filter_chain ? [l.resource.default_filter_chain] : []),
    ].flatMap((fc: Json) =>
      (fc.filters ?? []).map((f: Json) => ({ filter: f.name, access_log: f.typed_config?.access_log ?? [] })),
    ),
  }));
  const clusters = (xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'] ?? [])
    .filter((c) => c.name.startsWith('cluster_logging'))
    .map((c) => c.resource);
  return { out: { listeners, clusters }, diagnostics: goldenDiagnostics(result.diagnostics) };
}

export function compileWithLogging(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, loggingPlugin, envoyPlugin], {});
}

describe('feature-logging golden cases', () => {
  goldenSuite(dir, (resources) => loggingView(compileWithLogging(resources)), { it, expect });
});
