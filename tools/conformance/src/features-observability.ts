import { type CompileResult, compareStrings, compile, type Plugin, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { buildEnvoyModel, type EnvoyModel } from '@attache/explain';
import { loggingPlugin } from '@attache/plugin-feature-logging';
import { tracingPlugin } from '@attache/plugin-feature-tracing';
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
 * Observability conformance (../shared/conformance/features: LogService,
 * TracingService, the Module's file access log): beyond routing probes, the
 * parts feature-logging, feature-tracing and the http plugin's access log
 * produce must match what Emissary's compiler produced, each counted as one
 * check per case:
 *
 * - `access_log`: every connection manager's access logs, in order — gRPC
 *   loggers with their config (the service cluster compared by behaviour), file
 *   logs by where they write and their format (Emissary's `/dev/fd/1` file and
 *   Attaché's stdout logger are the same sink: docs/compat.md);
 * - `tracing`: every connection manager's tracing (sampling, custom tags) with
 *   its provider — Emissary's is in the bootstrap (`bootstrap.tracing.http`),
 *   Attaché's in the connection manager — plus generate_request_id, the
 *   router's start_child_span and the listener's traffic_direction;
 * - `clusters`: the log and trace collector clusters by behaviour;
 * - `routing`: the probes, as for every case.
 *
 * Two differences are on purpose (docs/compat.md) and applied to Emissary's
 * side before comparing: the log service's cluster always speaks HTTP/2 (gRPC),
 * and TracingService `tag_headers`, which Emissary 3 ignores, become
 * request_header custom tags.
 */

export const observabilityPlugins: Plugin[] = [httpPlugin, loggingPlugin, tracingPlugin, envoyPlugin];

const casePattern = /logservice|tracing|module-(json|text)-log/;

/** The features cases about logging and tracing, as envoy cases (input.yaml + expected.json). */
export function discoverObservabilityCases(shared: string): FeatureCase[] {
  return discoverFeatureCases(shared, (dir) => casePattern.test(dir));
}

// biome-ignore lint/suspicious/noExplicitAny: a view over Envoy JSON of many shapes, read field by field
type Json = Record<string, any>;

interface Hcm {
  config: Json;
  /** The listener's traffic_direction (UNSPECIFIED when absent). */
  trafficDirection: string;
}

interface SideView {
  model: EnvoyModel;
  hcms: Hcm[];
  /** The bootstrap's tracing provider (Emissary), if any. */
  bootstrapProvider?: Json;
  /** Cluster names the log and trace configs point at. */
  side: 'emissary' | 'attache';
}

function connectionManagers(listeners: Json[]): Hcm[] {
  const out: Hcm[] = [];
  for (const l of listeners) {
    if (String(l.name ?? '').startsWith('ambassador-')) continue; // Emissary's own readiness listener
    const chains = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    for (const chain of chains) {
      for (const f of chain.filters ?? []) {
        if (String(f.typed_config?.['@type'] ?? '').endsWith('HttpConnectionManager'))
          out.push({ config: f.typed_config, trafficDirection: l.traffic_direction ?? 'UNSPECIFIED' });
      }
    }
  }
  return out;
}

function expectedSide(expected: Json): SideView {
  const view: SideView = {
    model: buildEnvoyModel({ bootstrap: expected }),
    hcms: connectionManagers(expected.static_resources?.listeners ?? []),
    side: 'emissary',
  };
  const provider = expected.bootstrap?.tracing?.http;
  if (provider) view.bootstrapProvider = provider;
  return view;
}

function actualSide(result: CompileResult): SideView {
  const xds = result.xds as unknown as Record<string, Array<{ name: string; resource: Json }>>;
  const listeners = (xds['type.googleapis.com/envoy.config.listener.v3.Listener'] ?? []).map(
    (l) => l.resource,
  );
  return {
    model: buildEnvoyModel({ xds: result.xds, ir: result.ir }),
    hcms: connectionManagers(listeners),
    side: 'attache',
  };
}

/** Distinct values, canonical JSON, sorted. */
function distinct(values: unknown[]): string[] {
  return [...new Set(values.map((v) => JSON.stringify(canon(v) ?? null)))].sort(compareStrings);
}

/** A cluster by behaviour; the log service's with HTTP/2 on Emissary's side (on purpose, compat.md). */
function clusterOf(side: SideView, name: string, role: 'log' | 'trace'): unknown {
  const behaviour = clusterBehaviour(side.model.clusters.get(name), name) as Json;
  if (role === 'log' && side.side === 'emissary' && !behaviour.undefinedCluster)
    return { ...behaviour, http2: true };
  return behaviour;
}

const streams: Record<string, string> = {
  '/dev/fd/1': 'stdout',
  '/dev/stdout': 'stdout',
  '/dev/fd/2': 'stderr',
  '/dev/stderr': 'stderr',
};

/** One access log by behaviour: a gRPC logger with its cluster's behaviour, or a sink with its format. */
function accessLogView(side: SideView, log: Json): unknown {
  const tc: Json = structuredClone(log.typed_config ?? {});
  const name = String(log.name ?? '');
  if (name.endsWith('_grpc')) {
    const grpc = tc.common_config?.grpc_service?.envoy_grpc;
    if (grpc?.cluster_name !== undefined) grpc.cluster_name = clusterOf(side, grpc.cluster_name, 'log');
    return { logger: name, config: tc };
  }
  const sink =
    name === 'envoy.access_loggers.stdout'
      ? 'stdout'
      : name === 'envoy.access_loggers.stderr'
        ? 'stderr'
        : (streams[tc.path] ?? tc.path);
  const lf = tc.log_format ?? {};
  const format =
    lf.text_format_source?.inline_string !== undefined
      ? { text: lf.text_format_source.inline_string }
      : lf.json_format !== undefined || tc.json_format !== undefined
        ? { json: lf.json_format ?? tc.json_format }
        : tc.format !== undefined
          ? { text: tc.format }
          : { envoyDefault: true };
  return { sink, format };
}

function accessLogs(side: SideView): string[] {
  return distinct(side.hcms.map((h) => (h.config.access_log ?? []).map((l: Json) => accessLogView(side, l))));
}

const providerNames: Record<string, string> = {
  'envoy.zipkin': 'envoy.tracers.zipkin',
  'envoy.datadog': 'envoy.tracers.datadog',
  'envoy.opentelemetry': 'envoy.tracers.opentelemetry',
};

function providerView(side: SideView, provider: Json | undefined): unknown {
  if (!provider) return null;
  const tc: Json = structuredClone(provider.typed_config ?? {});
  if (tc.collector_cluster !== undefined)
    tc.collector_cluster = clusterOf(side, tc.collector_cluster, 'trace');
  const grpc = tc.grpc_service?.envoy_grpc;
  if (grpc?.cluster_name !== undefined) grpc.cluster_name = clusterOf(side, grpc.cluster_name, 'trace');
  const name = String(provider.name ?? '');
  return { name: providerNames[name] ?? name, config: tc };
}

/** TracingService tag_headers in the case's input, as the request_header tags Attaché makes of them. */
function tagHeaderTags(resources: StoredResource[]): Json[] {
  const tracing = resources.find((r) => r.resource.kind === 'TracingService');
  const headers = (tracing?.resource.spec as { tag_headers?: unknown } | undefined)?.tag_headers;
  return Array.isArray(headers)
    ? headers
        .filter((h): h is string => typeof h === 'string')
        .map((h) => ({ tag: h, request_header: { name: h } }))
    : [];
}

function tracingView(side: SideView, hcm: Hcm, extraTags: Json[]): unknown {
  const tracing: Json | undefined = hcm.config.tracing ? structuredClone(hcm.config.tracing) : undefined;
  const router = (hcm.config.http_filters ?? []).find((f: Json) => f.name === 'envoy.filters.http.router');
  const out: Json = {
    traffic_direction: hcm.trafficDirection,
    generate_request_id: hcm.config.generate_request_id ?? null,
    start_child_span: router?.typed_config?.start_child_span ?? null,
    tracing: null,
  };
  if (tracing) {
    const provider = tracing.provider ?? side.bootstrapProvider;
    delete tracing.provider;
    if (side.side === 'emissary' && extraTags.length > 0)
      tracing.custom_tags = [...extraTags, ...(tracing.custom_tags ?? [])];
    out.tracing = { ...tracing, provider: providerView(side, provider) };
  }
  return out;
}

/** The clusters the log and trace configs name, by behaviour. */
function observabilityClusters(side: SideView): string[] {
  const found: unknown[] = [];
  for (const h of side.hcms) {
    for (const log of h.config.access_log ?? []) {
      const name = log.typed_config?.common_config?.grpc_service?.envoy_grpc?.cluster_name;
      if (name !== undefined) found.push({ role: 'log', cluster: clusterOf(side, name, 'log') });
    }
    const provider = h.config.tracing?.provider ?? (h.config.tracing ? side.bootstrapProvider : undefined);
    const tc = provider?.typed_config ?? {};
    const name = tc.collector_cluster ?? tc.grpc_service?.envoy_grpc?.cluster_name;
    if (name !== undefined) found.push({ role: 'trace', cluster: clusterOf(side, name, 'trace') });
  }
  return distinct(found);
}

export type ObservabilityCheck = FeatureCheck<'access_log' | 'tracing' | 'clusters'>;
export type ObservabilityCaseResult = FeatureCheckResult<ObservabilityCheck['part']>;

/** Compares the logging and tracing parts of Emissary's expected output with Attaché's for one case. */
export function compareObservabilityParts(
  expectedConfig: unknown,
  result: CompileResult,
  inputs: StoredResource[],
): ObservabilityCheck[] {
  const expected = expectedSide(expectedConfig as Json);
  const actual = actualSide(result);
  const checks: ObservabilityCheck[] = [];

  const eLogs = accessLogs(expected);
  const aLogs = accessLogs(actual);
  const logsOk = sameJson(eLogs, aLogs) && expected.hcms.length > 0 && actual.hcms.length > 0;
  checks.push({
    part: 'access_log',
    ok: logsOk,
    detail: logsOk
      ? `access logs equal on every connection manager (${JSON.parse(eLogs[0] ?? '[]').length} each)`
      : `Emissary ${showJson(eLogs)} vs Attaché ${showJson(aLogs)}`,
  });

  const extraTags = tagHeaderTags(inputs);
  const eTracing = distinct(expected.hcms.map((h) => tracingView(expected, h, extraTags)));
  const aTracing = distinct(actual.hcms.map((h) => tracingView(actual, h, extraTags)));
  const tracingOk = sameJson(eTracing, aTracing) && expected.hcms.length > 0;
  checks.push({
    part: 'tracing',
    ok: tracingOk,
    detail: tracingOk
      ? `${eTracing.some((t) => t.includes('"provider"')) ? 'tracing, provider and sampling equal' : 'no tracing on either side'}${extraTags.length > 0 ? ` (tag_headers as custom tags on purpose: ${extraTags.length})` : ''}`
      : `Emissary ${showJson(eTracing)} vs Attaché ${showJson(aTracing)}`,
  });

  const eClusters = observabilityClusters(expected);
  const aClusters = observabilityClusters(actual);
  checks.push({
    part: 'clusters',
    ok: sameJson(eClusters, aClusters),
    detail: sameJson(eClusters, aClusters)
      ? `${eClusters.length} log/trace cluster(s) equal by behaviour`
      : `Emissary ${showJson(eClusters)} vs Attaché ${showJson(aClusters)}`,
  });
  return checks;
}

/** Compiles one case with http + feature-logging + feature-tracing + envoy and compares the parts, then routing. */
export function runObservabilityCase(
  c: FeatureCase,
  plugins: Plugin[] = observabilityPlugins,
): ObservabilityCaseResult {
  try {
    const resources: StoredResource[] = c.inputs.flatMap(readResources);
    const result = compile(withParseableSecrets(resources, standInCertificate()).resources, plugins);
    const routing = runCase(c, (r) => compile(r, plugins));
    return {
      id: c.id,
      checks: [...compareObservabilityParts(c.expected, result, resources), routingCheck(routing)],
    };
  } catch (e) {
    return {
      id: c.id,
      checks: [{ part: 'access_log', ok: false, detail: `compile threw: ${(e as Error).message}` }],
    };
  }
}

/** Prints one line per check and a count; returns the number of failed checks. */
export function printObservabilityResults(
  results: ObservabilityCaseResult[],
  write: (s: string) => void,
): number {
  return printFeatureChecks(results, write, {
    heading:
      'LogService, TracingService, Module access log (features) — access logs, tracing, clusters, routing',
    name: 'observability',
    partWidth: 10,
  });
}
