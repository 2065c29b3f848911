import { isPlugin, type Plugin } from '@attache/core';
import * as envoy from '@attache/envoy';
import * as featureAuth from '@attache/plugin-feature-auth';
import * as featureGrpc from '@attache/plugin-feature-grpc';
import * as featureLogging from '@attache/plugin-feature-logging';
import * as ratelimit from '@attache/plugin-feature-ratelimit';
import * as featureTcp from '@attache/plugin-feature-tcp';
import * as featureTracing from '@attache/plugin-feature-tracing';
import * as http from '@attache/plugin-http';
import * as sinkFile from '@attache/plugin-sink-file';
import * as sourceFile from '@attache/plugin-source-file';

/**
 * The standard distribution: what `attache` ships with. Plugins are picked
 * from their packages by export name, so a package still being built (whose
 * index exports nothing yet) leaves a gap the CLI reports instead of a build
 * break. A platform team composing its own distribution copies this file.
 */
const core: Array<{ module: object; exportName: string; pkg: string }> = [
  { module: http, exportName: 'httpPlugin', pkg: '@attache/plugin-http' },
  { module: envoy, exportName: 'envoyPlugin', pkg: '@attache/envoy' },
  { module: featureAuth, exportName: 'featureAuthPlugin', pkg: '@attache/plugin-feature-auth' },
  { module: ratelimit, exportName: 'ratelimitPlugin', pkg: '@attache/plugin-feature-ratelimit' },
  { module: featureTcp, exportName: 'tcpPlugin', pkg: '@attache/plugin-feature-tcp' },
  { module: featureGrpc, exportName: 'grpcPlugin', pkg: '@attache/plugin-feature-grpc' },
  { module: featureLogging, exportName: 'loggingPlugin', pkg: '@attache/plugin-feature-logging' },
  { module: featureTracing, exportName: 'tracingPlugin', pkg: '@attache/plugin-feature-tracing' },
  { module: sourceFile, exportName: 'fileSourcePlugin', pkg: '@attache/plugin-source-file' },
  { module: sinkFile, exportName: 'fileSinkPlugin', pkg: '@attache/plugin-sink-file' },
];

/**
 * Plugins that only bring a source or a sink, loaded when a config names
 * their type: the Kubernetes client alone takes seconds to import, which
 * `attache compile` should not pay.
 */
const optional: Array<{
  load: () => Promise<object>;
  exportName: string;
  provides: { source?: string; sink?: string };
}> = [
  {
    load: () => import('@attache/plugin-sink-ads'),
    exportName: 'sinkAdsPlugin',
    provides: { sink: 'ads' },
  },
  {
    load: () => import('@attache/plugin-source-kubernetes'),
    exportName: 'kubernetesSourcePlugin',
    provides: { source: 'kubernetes' },
  },
  {
    load: () => import('@attache/plugin-source-consul'),
    exportName: 'consulSourcePlugin',
    provides: { source: 'consul' },
  },
];

export interface Distribution {
  plugins: Plugin[];
  /** Required members whose package does not export their plugin (yet). */
  missing: string[];
}

export interface DistributionNeeds {
  sources?: Iterable<string>;
  sinks?: Iterable<string>;
}

export async function loadDistribution(needs: DistributionNeeds = {}): Promise<Distribution> {
  const plugins: Plugin[] = [];
  const missing: string[] = [];
  for (const member of core) {
    const candidate = (member.module as Record<string, unknown>)[member.exportName];
    if (isPlugin(candidate)) plugins.push(candidate);
    else missing.push(`${member.pkg} (export '${member.exportName}')`);
  }
  const sources = new Set(needs.sources ?? []);
  const sinks = new Set(needs.sinks ?? []);
  for (const member of optional) {
    const wanted =
      (member.provides.source && sources.has(member.provides.source)) ||
      (member.provides.sink && sinks.has(member.provides.sink));
    if (!wanted) continue;
    const candidate = ((await member.load()) as Record<string, unknown>)[member.exportName];
    if (isPlugin(candidate)) plugins.push(candidate);
  }
  return { plugins, missing };
}

/** Every member, for listings and tests. */
export function standardDistribution(): Promise<Distribution> {
  return loadDistribution({ sources: ['kubernetes', 'consul'], sinks: ['ads'] });
}
