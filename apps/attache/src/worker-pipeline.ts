import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPipeline, type Pipeline } from '@attache/core';
import { type AttacheConfig, type CompileWorkerInit, resolvePlugins } from '@attache/runtime';
import { type DistributionNeeds, loadDistribution } from './distribution.js';

/** What `serve` hands its compile worker: enough to load the same plugins the same way. */
export interface WorkerPipelineData {
  config: AttacheConfig;
  baseDir: string;
  origin: string;
  needs: { sources: string[]; sinks: string[] };
}

/**
 * Runs inside the compile worker: the distribution's plugins plus those the
 * config loads by module path, as `serve` resolved them in its own thread.
 */
export async function createWorkerPipeline(data: WorkerPipelineData): Promise<Pipeline> {
  const needs: DistributionNeeds = data.needs;
  const distribution = await loadDistribution(needs);
  const uses = await resolvePlugins(data.config, {
    baseDir: data.baseDir,
    distribution: distribution.plugins,
    origin: data.origin,
  });
  return createPipeline(uses);
}

/**
 * The compile worker `serve` uses, or undefined when this module is not built
 * JavaScript (running from TypeScript sources, where a worker cannot load it):
 * then compiles run in the main thread.
 */
export function serveCompileWorker(data: WorkerPipelineData): CompileWorkerInit | undefined {
  const module = new URL(import.meta.url);
  if (!module.pathname.endsWith('.js') || !existsSync(fileURLToPath(module))) return undefined;
  return { pipelineModule: module.href, pipelineData: data };
}
