import { createPipeline, type Logger, type Pipeline, type Plugin } from '@attache/core';
import type { DependencyContainer } from 'tsyringe';
import type { CompileWorkerInit } from './compile-protocol.js';
import { type AttacheConfig, validateIoConfig } from './config.js';
import { createRuntimeContainer, Tokens } from './container.js';
import { createLogger, type LogLevel } from './logger.js';
import { resolvePlugins } from './resolve-plugins.js';
import type { Runtime } from './runtime.js';

export { resolvePlugins };

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
