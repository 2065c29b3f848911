import { createPipeline, type Logger, type Pipeline, type Plugin, type PluginUse } from '@attache/core';
import type { DependencyContainer } from 'tsyringe';
import type { CompileWorkerInit } from './compile-protocol.js';
import { type AttacheConfig, ConfigError, validateIoConfig } from './config.js';
import { createRuntimeContainer, Tokens } from './container.js';
import { createLogger, type LogLevel } from './logger.js';
import { loadPluginModule } from './plugin-loader.js';
import type { Runtime } from './runtime.js';

export interface BootOptions {
  config: AttacheConfig;
  baseDir: string;
  /** The distribution's own plugins; `plugins: [{ id, config }]` entries configure them. */
  distribution: readonly Plugin[];
  logger?: Logger;
  /** Where the config came from, for error messages. */
  origin?: string;
  /** Export conditions for plugin packages loaded by path (tests: ['source', 'default']). */
  conditions?: readonly string[];
  /** How a compile worker rebuilds this pipeline; without it, compiles run in the main thread. */
  compileWorker?: CompileWorkerInit;
}

export interface Booted {
  runtime: Runtime;
  pipeline: Pipeline;
  container: DependencyContainer;
  logger: Logger;
}

/** The plugin set of a config: the distribution's plugins (configured by id) plus modules it loads. */
export async function resolvePlugins(
  config: AttacheConfig,
  options: Pick<BootOptions, 'baseDir' | 'distribution' | 'origin' | 'conditions'>,
): Promise<PluginUse[]> {
  const origin = options.origin ?? 'attache.yaml';
  const configured = new Map<string, unknown>();
  const extra: PluginUse[] = [];
  for (const [i, entry] of (config.plugins ?? []).entries()) {
    if (entry.id !== undefined) {
      if (!options.distribution.some((p) => p.id === entry.id)) {
        const known = options.distribution.map((p) => p.id).join(', ');
        throw new ConfigError(
          `${origin}: plugins.${i}.id: no plugin '${entry.id}' in this distribution (known: ${known})`,
        );
      }
      configured.set(entry.id, entry.config);
      continue;
    }
    const plugin = await loadPluginModule(entry.module!, {
      baseDir: options.baseDir,
      ...(options.conditions ? { conditions: options.conditions } : {}),
    });
    extra.push({ plugin, config: entry.config });
  }
  return [...options.distribution.map((plugin) => ({ plugin, config: configured.get(plugin.id) })), ...extra];
}

/** Loads plugins, validates every config block and builds the container; starts nothing. */
export async function bootRuntime(options: BootOptions): Promise<Booted> {
  const logger =
    options.logger ??
    createLogger(options.config.log.level as LogLevel, undefined, options.config.log.format);
  const uses = await resolvePlugins(options.config, options);
  const pipeline = createPipeline(uses);
  const io = validateIoConfig(options.config, pipeline, options.origin);
  const container = createRuntimeContainer({
    config: options.config,
    baseDir: options.baseDir,
    logger,
    pipeline,
    io,
    ...(options.compileWorker ? { compileWorker: options.compileWorker } : {}),
  });
  return { runtime: container.resolve<Runtime>(Tokens.Runtime), pipeline, container, logger };
}
