import { resolve } from 'node:path';
import { createPipeline, type Diagnostic, type Pipeline, type StoredResource } from '@attache/core';
import { readResourcesFromPaths } from '@attache/plugin-source-file';
import { type AttacheConfig, loadConfigFile, parseConfig, resolvePlugins } from '@attache/runtime/offline';
import { loadDistribution } from './distribution.js';
import { type CliIO, UsageError } from './io.js';

export interface OfflineInputs {
  pipeline: Pipeline;
  config: AttacheConfig;
  resources: StoredResource[];
  /** The file source's own diagnostics (syntax errors, missing paths). */
  sourceDiagnostics: Diagnostic[];
}

/**
 * What compile, validate and explain share: the plugin set (the distribution
 * plus any modules a --config file loads) and the resources read from -f paths.
 */
export async function loadOfflineInputs(
  files: readonly string[],
  configPath: string | undefined,
  io: CliIO,
): Promise<OfflineInputs> {
  if (files.length === 0) throw new UsageError('give at least one -f FILE|DIR');
  const { pipeline, config } = await loadPipeline(configPath, io);
  const read = readResourcesFromPaths(files, io.cwd);
  const sourceDiagnostics: Diagnostic[] = read.diagnostics.map((d) => ({
    ...d,
    severity: d.severity ?? 'error',
    origin: { plugin: 'source-file' },
  }));
  return { pipeline, config, resources: read.resources, sourceDiagnostics };
}

/** The distribution's plugins plus those a --config file loads, checked and frozen. */
export async function loadPipeline(
  configPath: string | undefined,
  io: CliIO,
): Promise<{ pipeline: Pipeline; config: AttacheConfig }> {
  const distribution = await loadDistribution();
  if (distribution.missing.length > 0) {
    throw new Error(`this build of attache is incomplete: missing ${distribution.missing.join(', ')}`);
  }
  const loaded = configPath
    ? loadConfigFile(resolve(io.cwd, configPath))
    : { config: parseConfig({ sources: {}, sinks: {} }), baseDir: io.cwd, path: undefined };
  const uses = await resolvePlugins(loaded.config, {
    baseDir: loaded.baseDir,
    distribution: distribution.plugins,
    ...(loaded.path ? { origin: loaded.path } : {}),
  });
  return { pipeline: createPipeline(uses), config: loaded.config };
}
