import type { IRRoute, ResourceRef } from '@attache/core';
import type { AmbassadorModuleConfig } from '../schemas/module.js';

const probes = [
  {
    key: 'liveness_probe',
    name: 'internal_liveness_probe_mapping',
    prefix: '/ambassador/v0/check_alive',
    body: 'ambassador liveness check OK\n',
  },
  {
    key: 'readiness_probe',
    name: 'internal_readiness_probe_mapping',
    prefix: '/ambassador/v0/check_ready',
    body: 'ambassador readiness check OK\n',
  },
] as const;

/**
 * Emissary's built-in probe routes, on by default on every Host:
 * /ambassador/v0/check_alive and /ambassador/v0/check_ready. Emissary sends
 * them to diagd beside Envoy; Attaché has no diagd beside Envoy (its admin
 * server runs in its own pod), so Envoy answers 200 itself. That it can
 * answer at all means Envoy is up and holds a configuration from Attaché,
 * which is what a load balancer probing through the edge asks.
 */
export function probeRoutes(config: AmbassadorModuleConfig, provenance: ResourceRef[]): IRRoute[] {
  const routes: IRRoute[] = [];
  for (const probe of probes) {
    // As in Emissary, setting the key replaces its default {enabled: true}.
    const setting = config[probe.key];
    if (setting !== undefined && setting.enabled !== true) continue;
    routes.push({
      name: probe.name,
      match: { path: { kind: 'prefix', value: setting?.prefix ?? probe.prefix } },
      action: { kind: 'direct_response', status: 200, body: probe.body },
      provenance,
    });
  }
  return routes;
}
