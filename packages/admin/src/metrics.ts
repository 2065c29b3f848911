import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process metrics (CPU, memory, event loop lag, GC) in a registry of
 * their own, so the application registry stays the caller's to shape.
 */
export function createProcessMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The registry to expose: process metrics plus the application's. If the
 * application registry already collects the default metrics, it is used
 * alone, since merging two registries with the same metric names throws.
 */
export function exposedRegistry(processMetrics: Registry, application: Registry | undefined): Registry {
  if (!application) return processMetrics;
  if (application.getSingleMetric('process_cpu_user_seconds_total')) return application;
  return Registry.merge([processMetrics, application]);
}
