import { fileURLToPath } from 'node:url';
import { type CompileResult, compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { goldenDiagnostics, goldenSuite } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { tracingPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: a view over Envoy JSON of many shapes, read field by field
type Json = Record<string, any>;

/**
 * What a tracing golden shows: each listener's traffic_direction, each
 * connection manager's tracing, generate_request_id, router start_child_span
 * and JSON access-log fields, the collector cluster, and
 * the diagnostics. Everything else is the http plugin's and has its own goldens.
 */
export function tracingView(result: CompileResult) {
  const xds = result.xds as unknown as Record<string, Array<{ name: string; resource: Json }>>;
  const listeners = (xds['type.googleapis.com/envoy.config.listener.v3.Listener'] ?? []).map((l) => ({
    listener: l.name,
    traffic_direction: l.resource.traffic_direction ?? null,
    connection_managers: [
      ...(l.resource.filter_chains ?? []),
      ...(l.resource.default_filter_chain ? [l.resource.default_filter_chain] : []),
    ].flatMap((fc: Json) =>
      (fc.filters ?? [])
        .filter((f: Json) => f.name === 'envoy.filters.network.http_connection_manager')
        .map((f: Json) => ({
          generate_request_id: f.typed_config.generate_request_id ?? null,
          start_child_span: f.typed_config.http_filters.at(-1).typed_config.start_child_span ?? null,
          tracing: f.typed_config.tracing ?? null,
          // JSON access logs by their fields (Datadog tracing adds its trace ids to Emissary's default).
          json_log_fields: (f.typed_config.access_log ?? [])
            .map((a: Json) => a.typed_config?.log_format?.json_format)
            .filter((j: Json | undefined) => j !== undefined)
            .map((j: Json) => Object.keys(j).sort()),
        })),
    ),
  }));
  const clusters = (xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'] ?? [])
    .filter((c) => c.name.startsWith('cluster_tracing'))
    .map((c) => c.resource);
  return { out: { listeners, clusters }, diagnostics: goldenDiagnostics(result.diagnostics) };
}

export function compileWithTracing(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, tracingPlugin, envoyPlugin], {});
}

describe('feature-tracing golden cases', () => {
  goldenSuite(dir, (resources) => tracingView(compileWithTracing(resources)), { it, expect });
});
