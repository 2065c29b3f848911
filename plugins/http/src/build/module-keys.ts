import type { PassContext, ResourceRef } from '@attache/core';
import type { AmbassadorModuleConfig } from '../schemas/module.js';
import { logFormatProblem } from './module-access-log.js';
import { ipPolicy } from './module-ip-filter.js';

interface NoEffect {
  /** Whether this value of the key is one Attaché cannot honour (default: any value). */
  applies?: (value: unknown) => boolean;
  /** Why it has no effect, and what to do instead. */
  message: string;
}

const v3Listeners = (fix: string) => `has no effect with v3alpha1 Listeners (as in Emissary); ${fix}`;
const outsideAttache = (layer: string, fix: string) =>
  `belongs to ${layer}, which Attaché does not write; ${fix}`;
const isTrue = (value: unknown) => value === true;

/**
 * Every Emissary `ambassador` Module key Attaché accepts but does not
 * compile, with the reason and the fix. Keys Attaché compiles are in the
 * schema; docs/reference/module.md lists both.
 */
export const moduleKeysWithoutEffect: Record<string, NoEffect> = {
  xff_num_trusted_hops: { message: v3Listeners('set spec.l7Depth on the Listener instead') },
  use_proxy_proto: { message: v3Listeners('use Listener protocol HTTPPROXY or HTTPSPROXY instead') },
  x_forwarded_proto_redirect: {
    message: v3Listeners("use the Host's requestPolicy.insecure.action: Redirect instead"),
  },
  header_case_overrides: {
    message:
      "needs per-header casing rules, which only Emissary's own Envoy build has (upstream Envoy can Proper-Case every header or keep the case each peer sent); set proper_case: true, or have the upstream send the casing its clients need",
  },
  diagnostics: {
    applies: (value) => isTrue((value as { enabled?: unknown }).enabled),
    message:
      "adds no route: Attaché's diagnostics page is on its admin server (admin.port, default 8877), not behind Envoy; reach it there, or write a Mapping to the attache Service's admin port if it must go through the edge",
  },
  admin_port: {
    message: outsideAttache("Envoy's bootstrap (admin.address)", 'set it in the Envoy bootstrap'),
  },
  diag_port: { message: outsideAttache("Emissary's diagd port", "set Attaché's admin.port in attache.yaml") },
  service_port: { message: v3Listeners('define a Listener with the port instead') },
  statsd: {
    message: outsideAttache(
      "Envoy's bootstrap (stats_sinks)",
      'add a statsd stats sink to the Envoy bootstrap',
    ),
  },
  runtime_flags: {
    message: outsideAttache(
      "Envoy's runtime (bootstrap layered_runtime)",
      'set the flags in a static layer of the Envoy bootstrap',
    ),
  },
  envoy_validation_timeout: {
    message:
      'has no effect: Attaché validates every resource against the Envoy API itself instead of running envoy --mode validate; remove it',
  },
  debug_mode: { message: "has no effect; set Attaché's log level (--log-level debug) instead" },
  auth_enabled: { message: 'has no effect (Emissary 3 ignores it too); remove it' },
  regex_type: { message: 'has no effect (Emissary 3 ignores it too): every regex is RE2; remove it' },
  prune_unreachable_routes: {
    applies: (value) => value === false,
    message:
      'cannot be false: Attaché always puts a route only on the Hosts its Mapping can match (as Emissary does by default); remove it',
  },
  defaults: {
    message:
      'has no effect (Emissary 3 reads it for nothing Attaché compiles); set the fields on each resource',
  },
  features: {
    message: 'is a v0-era key with no effect; use the top-level Module keys (e.g. enable_grpc_web)',
  },
};

/** Reports, once per Module, keys without effect and the problems of keys compiled later. */
export function reportModuleKeyProblems(
  ctx: PassContext,
  ref: ResourceRef,
  config: AmbassadorModuleConfig,
): void {
  const raw = config as Record<string, unknown>;
  for (const [key, rule] of Object.entries(moduleKeysWithoutEffect)) {
    const value = raw[key];
    if (value === undefined || (rule.applies && !rule.applies(value))) continue;
    ctx.report({
      code: 'MODULE_KEY_NO_EFFECT',
      resource: ref,
      path: `/spec/config/${key}`,
      message: `spec.config.${key} ${rule.message}`,
    });
  }
  for (const probe of ['liveness_probe', 'readiness_probe'] as const) {
    for (const field of ['rewrite', 'service'] as const) {
      if (config[probe]?.[field] === undefined) continue;
      ctx.report({
        code: 'MODULE_KEY_NO_EFFECT',
        resource: ref,
        path: `/spec/config/${probe}/${field}`,
        message: `spec.config.${probe}.${field} has no effect: Envoy answers the probe itself (Attaché has no diagd to route it to); remove it, or write a Mapping for that path to send it elsewhere`,
      });
    }
  }
  for (const problem of ipPolicy(config)?.problems ?? []) {
    ctx.report({ ...problem, resource: ref });
  }
  const logFormat = logFormatProblem(config);
  if (logFormat) ctx.report({ code: 'MODULE_LOG_FORMAT_INVALID', resource: ref, ...logFormat });
}
