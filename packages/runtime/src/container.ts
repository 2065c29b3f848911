// tsyringe checks for the Reflect metadata API when it is imported; we only
// use explicit tokens and factories, never decorator metadata (esbuild and
// vitest do not emit it), but the polyfill must still be present.
import 'reflect-metadata';
import type { Logger, Pipeline } from '@attache/core';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import type { CompileWorkerInit } from './compile-protocol.js';
import type { AttacheConfig } from './config.js';
import { Runtime } from './runtime.js';

/** Injection tokens: explicit, so nothing depends on emitted type metadata. */
export const Tokens = {
  Config: Symbol.for('attache.Config'),
  BaseDir: Symbol.for('attache.BaseDir'),
  Logger: Symbol.for('attache.Logger'),
  Pipeline: Symbol.for('attache.Pipeline'),
  IoConfig: Symbol.for('attache.IoConfig'),
  Runtime: Symbol.for('attache.Runtime'),
} as const;

export interface IoConfig {
  sources: ReadonlyMap<string, unknown>;
  sinks: ReadonlyMap<string, unknown>;
}

export interface ContainerInputs {
  config: AttacheConfig;
  baseDir: string;
  logger: Logger;
  pipeline: Pipeline;
  io: IoConfig;
  compileWorker?: CompileWorkerInit;
}

/**
 * Wires the application. Each process (or test) gets its own child
 * container, so two runtimes in one test file never share a singleton.
 * Apps add their own registrations (admin server, Kubernetes client) to the
 * returned container before resolving.
 */
export function createRuntimeContainer(inputs: ContainerInputs): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.register(Tokens.Config, { useValue: inputs.config });
  c.register(Tokens.BaseDir, { useValue: inputs.baseDir });
  c.register(Tokens.Logger, { useValue: inputs.logger });
  c.register(Tokens.Pipeline, { useValue: inputs.pipeline });
  c.register(Tokens.IoConfig, { useValue: inputs.io });
  c.register(Tokens.Runtime, {
    useFactory: instanceCachingFactory((dc) => {
      const config = dc.resolve<AttacheConfig>(Tokens.Config);
      const io = dc.resolve<IoConfig>(Tokens.IoConfig);
      return new Runtime({
        pipeline: dc.resolve<Pipeline>(Tokens.Pipeline),
        sources: io.sources,
        sinks: io.sinks,
        groups: config.ambassadorIds,
        keepLastGood: config.keepLastGood,
        ...(inputs.compileWorker ? { compileWorker: inputs.compileWorker } : {}),
        debounce: config.debounce,
        logger: dc.resolve<Logger>(Tokens.Logger),
        baseDir: dc.resolve<string>(Tokens.BaseDir),
      });
    }),
  });
  return c;
}
