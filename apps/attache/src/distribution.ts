import { isPlugin, type Plugin } from '@attache/core';
import * as envoy from '@attache/envoy';
import * as http from '@attache/plugin-http';
import * as sinkAds from '@attache/plugin-sink-ads';
import * as sinkFile from '@attache/plugin-sink-file';
import * as sourceFile from '@attache/plugin-source-file';
import * as sourceKubernetes from '@attache/plugin-source-kubernetes';

/**
 * The standard distribution: what `attache` ships with. Plugins are picked
 * from their packages by export name, so a package still being built (whose
 * index exports nothing yet) leaves a gap the CLI reports instead of a build
 * break. A platform team composing its own distribution copies this list.
 */
const members: Array<{ module: object; exportName: string; pkg: string; required: boolean }> = [
  { module: http, exportName: 'httpPlugin', pkg: '@attache/plugin-http', required: true },
  { module: envoy, exportName: 'envoyPlugin', pkg: '@attache/envoy', required: true },
  { module: sourceFile, exportName: 'fileSourcePlugin', pkg: '@attache/plugin-source-file', required: true },
  { module: sinkFile, exportName: 'fileSinkPlugin', pkg: '@attache/plugin-sink-file', required: true },
  { module: sinkAds, exportName: 'sinkAdsPlugin', pkg: '@attache/plugin-sink-ads', required: false },
  {
    module: sourceKubernetes,
    exportName: 'kubernetesSourcePlugin',
    pkg: '@attache/plugin-source-kubernetes',
    required: false,
  },
];

export interface Distribution {
  plugins: Plugin[];
  /** Required members whose package does not export their plugin (yet). */
  missing: string[];
}

export function standardDistribution(): Distribution {
  const plugins: Plugin[] = [];
  const missing: string[] = [];
  for (const member of members) {
    const candidate = (member.module as Record<string, unknown>)[member.exportName];
    if (isPlugin(candidate)) plugins.push(candidate);
    else if (member.required) missing.push(`${member.pkg} (export '${member.exportName}')`);
  }
  return { plugins, missing };
}
