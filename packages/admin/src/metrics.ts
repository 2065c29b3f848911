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
 * The registry to expose: process metrics plus the application's. If an
 * application registry already collects the default metrics, the process
 * registry is left out, since merging registries with the same metric names throws.
 */
export function exposedRegistry(
  processMetrics: Registry,
  application: Registry | readonly Registry[] | undefined,
): Registry {
  const registries =
    application === undefined ? [] : Array.isArray(application) ? [...application] : [application];
  const collectsDefaults = registries.some((r) => r.getSingleMetric('process_cpu_user_seconds_total'));
  const all = collectsDefaults ? registries : [processMetrics, ...registries];
  return all.length === 1 ? all[0]! : Registry.merge(all);
}

/**
 * prom-client writes a NaN sample value as `Nan`; the exposition format spells
 * it `NaN`. Prometheus itself reads either, stricter parsers refuse `Nan`
 * (nodejs_eventloop_lag_* is NaN until the first event-loop sample).
 */
export function canonicalExposition(text: string): string {
  return text.replace(/ Nan$/gm, ' NaN');
}
