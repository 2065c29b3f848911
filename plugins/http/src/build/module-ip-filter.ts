import { isIPv4, isIPv6 } from 'node:net';
import type { IRHttpFilter, ResourceRef } from '@attache/core';
import type { HttpDiagnosticCode } from '../codes.js';
import type { AmbassadorModuleConfig } from '../schemas/module.js';

/** Emissary's principal kinds and the Envoy RBAC principal each becomes. */
const principalKinds = { peer: 'direct_remote_ip', remote: 'remote_ip' } as const;
type PrincipalKind = keyof typeof principalKinds;

interface CidrRange {
  address_prefix: string;
  prefix_len: number;
}

export interface IpPolicyProblem {
  code: HttpDiagnosticCode;
  path: string;
  message: string;
}

export interface IpPolicy {
  action: 'ALLOW' | 'DENY';
  principals: Array<Record<string, CidrRange>>;
  problems: IpPolicyProblem[];
}

/**
 * "127.0.0.1", "::1", "10.0.0.0/8", "2001:db8::/32" → an Envoy CidrRange, or
 * the reason it is not one. Like Emissary (Python's ipaddress), a bare
 * address is a host range and IPv6 is written in canonical form.
 */
export function parseCidr(spec: string): CidrRange | string {
  const slash = spec.indexOf('/');
  const address = slash < 0 ? spec : spec.slice(0, slash);
  const lengthText = slash < 0 ? undefined : spec.slice(slash + 1);
  const v4 = isIPv4(address);
  if (!v4 && !(isIPv6(address) && !address.includes('%'))) {
    return `'${address}' is not an IPv4 or IPv6 address`;
  }
  const max = v4 ? 32 : 128;
  if (lengthText !== undefined && !/^[0-9]{1,3}$/.test(lengthText)) {
    return `prefix length '${lengthText}' is not a number`;
  }
  const length = lengthText === undefined ? max : Number(lengthText);
  if (length > max)
    return `prefix length ${length} is longer than ${max}, the most an IPv${v4 ? 4 : 6} address has`;
  const canonical = v4 ? address : new URL(`http://[${address}]`).hostname.slice(1, -1);
  return { address_prefix: canonical, prefix_len: length };
}

/**
 * Module `ip_allow` / `ip_deny` → one RBAC policy, as Emissary's
 * IRIPAllowDeny. Bad entries are left out and reported; an ip_allow left
 * with no entry refuses everyone rather than letting everyone in.
 */
export function ipPolicy(config: AmbassadorModuleConfig): IpPolicy | undefined {
  const key =
    config.ip_allow !== undefined ? 'ip_allow' : config.ip_deny !== undefined ? 'ip_deny' : undefined;
  if (key === undefined) return undefined;
  const policy: IpPolicy = { action: key === 'ip_allow' ? 'ALLOW' : 'DENY', principals: [], problems: [] };
  if (config.ip_allow !== undefined && config.ip_deny !== undefined) {
    policy.problems.push({
      code: 'MODULE_IP_ALLOW_AND_DENY',
      path: '/spec/config/ip_deny',
      message:
        'spec.config.ip_allow and spec.config.ip_deny may not both be set; ip_deny is ignored. Keep one list (an allow list already refuses every address it does not name)',
    });
  }
  const entries = (key === 'ip_allow' ? config.ip_allow : config.ip_deny) ?? [];
  entries.forEach((entry, index) => {
    const path = `/spec/config/${key}/${index}`;
    const fields = Object.keys(entry);
    const [kind, ...more] = fields;
    if (kind === undefined || more.length > 0 || !(kind in principalKinds)) {
      policy.problems.push({
        code: 'MODULE_IP_INVALID',
        path,
        message: `spec.config.${key}[${index}] must have exactly one field, peer or remote (got ${fields.length === 0 ? 'none' : fields.join(', ')}); write one list item per address, e.g. {remote: 10.0.0.0/8}`,
      });
      return;
    }
    const spec = (entry as Record<string, unknown>)[kind];
    const range = typeof spec === 'string' ? parseCidr(spec) : `${JSON.stringify(spec)} is not a string`;
    if (typeof range === 'string') {
      policy.problems.push({
        code: 'MODULE_IP_INVALID',
        path: `${path}/${kind}`,
        message: `spec.config.${key}[${index}].${kind} is not an address or CIDR range: ${range}; write e.g. 192.168.0.0/16 or 2001:db8::/32`,
      });
      return;
    }
    policy.principals.push({ [principalKinds[kind as PrincipalKind]]: range });
  });
  return policy;
}

/** The RBAC filter for an IP policy, shaped as Emissary's V3HTTPFilter_ipallowdeny. */
export function ipFilter(
  config: AmbassadorModuleConfig,
  provenance: ResourceRef[],
): IRHttpFilter | undefined {
  const policy = ipPolicy(config);
  if (policy === undefined) return undefined;
  const { action, principals } = policy;
  const [only, ...more] = principals;
  const rbac = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
  if (only === undefined) {
    // No valid entry. ALLOW with no policy refuses every request (fail
    // closed); DENY with none refuses nothing, so no filter is needed.
    if (action === 'DENY') return undefined;
    return {
      slot: 'rbac',
      name: 'envoy.filters.http.rbac',
      typedConfig: { '@type': rbac, rules: { action } },
      provenance,
    };
  }
  const principal = more.length === 0 ? only : { or_ids: { ids: principals } };
  return {
    slot: 'rbac',
    name: 'envoy.filters.http.rbac',
    typedConfig: {
      '@type': rbac,
      rules: {
        action,
        policies: {
          [`ambassador-ip-${action.toLowerCase()}`]: {
            permissions: [{ any: true }],
            principals: [principal],
          },
        },
      },
    },
    provenance,
  };
}
