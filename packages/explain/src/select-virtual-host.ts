import type { RouteConfigModel, VirtualHostModel } from './model.js';

export type VirtualHostSelection =
  | {
      vhost: VirtualHostModel;
      domain: string;
      kind: 'exact' | 'suffix wildcard' | 'prefix wildcard' | 'catch-all';
    }
  | { vhost: undefined; reason: string };

/**
 * Envoy's virtual host search: exact domain, then the longest suffix
 * wildcard (`*.foo.com`), then the longest prefix wildcard (`foo.*`), then
 * `*`. Host names compare case-insensitively; a wildcard never matches an
 * empty part.
 */
export function selectVirtualHost(rc: RouteConfigModel, authority: string): VirtualHostSelection {
  let host = authority.toLowerCase();
  if (rc.ignorePortInHostMatching) host = stripPort(host);
  const entries = rc.virtualHosts.flatMap((vhost) =>
    vhost.domains.map((d) => ({ vhost, domain: d.toLowerCase() })),
  );
  const exact = entries.find((e) => e.domain === host);
  if (exact) return { ...exact, kind: 'exact' };
  const suffixes = entries
    .filter((e) => e.domain.startsWith('*') && e.domain.length > 1)
    .sort((a, b) => b.domain.length - a.domain.length);
  const suffix = suffixes.find((e) => host.length > e.domain.length - 1 && host.endsWith(e.domain.slice(1)));
  if (suffix) return { ...suffix, kind: 'suffix wildcard' };
  const prefixes = entries
    .filter((e) => e.domain.endsWith('*') && e.domain.length > 1)
    .sort((a, b) => b.domain.length - a.domain.length);
  const prefix = prefixes.find(
    (e) => host.length > e.domain.length - 1 && host.startsWith(e.domain.slice(0, -1)),
  );
  if (prefix) return { ...prefix, kind: 'prefix wildcard' };
  const any = entries.find((e) => e.domain === '*');
  if (any) return { ...any, kind: 'catch-all' };
  const domains = entries.map((e) => e.domain);
  return {
    vhost: undefined,
    reason: `no virtual host for authority ${authority} (domains: ${domains.length > 0 ? domains.join(', ') : 'none'}); Envoy answers 404`,
  };
}

export function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end >= 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

export function portOf(host: string): number | undefined {
  const stripped = stripPort(host);
  return stripped.length < host.length ? Number(host.slice(stripped.length + 1)) : undefined;
}
