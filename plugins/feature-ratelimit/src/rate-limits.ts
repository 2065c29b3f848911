import type { LabelAction, LabelDomains, LabelGroup } from './labels.js';

/**
 * Emissary's merge of Module `default_labels` into a Mapping's labels
 * (python/ambassador/src/ambassador/ir/irhttpmappinggroup.py):
 *
 * - a Mapping without labels gets one group named `defaults` holding the
 *   defaults of the Module's `default_label_domain`, in that domain;
 * - a Mapping with labels gets, in every domain that has defaults, the
 *   defaults prepended to each of its label groups; other domains are kept as written.
 */
export function mergeDefaultLabels(
  labels: LabelDomains | undefined,
  defaults: Readonly<Record<string, LabelAction[]>>,
  defaultDomain: string,
  modulePath = '/spec/config/default_labels',
): LabelDomains {
  if (!labels || Object.keys(labels).length === 0) {
    const domainDefaults = defaults[defaultDomain];
    if (!domainDefaults || domainDefaults.length === 0) return {};
    return {
      [defaultDomain]: [{ name: 'defaults', actions: [...domainDefaults], path: modulePath }],
    };
  }
  const out: LabelDomains = {};
  for (const [domain, groups] of Object.entries(labels)) {
    const domainDefaults = defaults[domain];
    out[domain] =
      domainDefaults && domainDefaults.length > 0
        ? groups.map((g) => ({ ...g, actions: [...domainDefaults, ...g.actions] }))
        : groups;
  }
  return out;
}

/** One label action as an Envoy `envoy.config.route.v3.RateLimit.Action` (proto3 JSON, Emissary's field spelling). */
export function envoyAction(action: LabelAction): Record<string, unknown> {
  switch (action.kind) {
    case 'source_cluster':
    case 'destination_cluster':
    case 'remote_address':
      return { [action.kind]: {} };
    case 'request_headers':
      return {
        request_headers: {
          descriptor_key: action.key,
          header_name: action.headerName,
          ...(action.skipIfAbsent ? { skip_if_absent: true } : {}),
        },
      };
    case 'generic_key':
      return { generic_key: { descriptor_key: action.key, descriptor_value: action.value } };
  }
}

/**
 * The route's `rate_limits` for the RateLimitService's domain: one entry
 * (stage 0) per label group, actions in the order written, as Emissary's
 * V3RateLimitAction builds them. Groups of other domains are not sent.
 */
export function envoyRateLimits(groups: readonly LabelGroup[]): Record<string, unknown>[] {
  return groups.map((g) => ({ stage: 0, actions: g.actions.map(envoyAction) }));
}

/**
 * The descriptor entries a label group would send, in words, for `attache
 * explain` and docs: `remote_address=<client IP>`, `tenant=<header x-tenant>`.
 */
export function describeGroup(group: LabelGroup): string {
  return group.actions.map(describeAction).join(', ');
}

function describeAction(a: LabelAction): string {
  switch (a.kind) {
    case 'source_cluster':
      return 'source_cluster=<--service-cluster of this Envoy>';
    case 'destination_cluster':
      return 'destination_cluster=<the route’s cluster>';
    case 'remote_address':
      return 'remote_address=<client IP>';
    case 'request_headers':
      return `${a.key}=<header ${a.headerName}${a.skipIfAbsent ? ', left out if absent' : ''}>`;
    case 'generic_key':
      return `${a.key}=${a.value}`;
  }
}
