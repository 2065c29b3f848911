import { createPipeline, type Pipeline } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { sinkAdsPlugin } from '@attache/plugin-sink-ads';

/**
 * The plugin set of the serve-shaped benchmarks (responsiveness, soak): the
 * HTTP model, Envoy lowering and the ADS sink. The runtime's compile worker
 * loads this module by path and calls createWorkerPipeline() to build the same.
 */
export function createWorkerPipeline(): Pipeline {
  return createPipeline([httpPlugin, envoyPlugin, sinkAdsPlugin]);
}
