import { compareStrings, kindOf, type ResourceRef, refOf, type StoredResource } from '@attache/core';

/** One Consul service to watch: which agent, which datacenter, and the resolver that asked. */
export interface ServiceWatch {
  /** `consul/<datacenter>/<service>`: the EDS name the http plugin gives the cluster, and the store partition. */
  key: string;
  datacenter: string;
  service: string;
  /** host:port as the ConsulResolver writes it. */
  address: string;
  resolver: ResourceRef;
}

interface ConsulResolverView {
  ref: ResourceRef;
  address: string;
  datacenter: string;
}

/**
 * The services Mappings resolve through a ConsulResolver (their own
 * `resolver`, else the ambassador Module's) and TCPMappings resolve through
 * one (their own `resolver` only), named as the http plugin names
 * their EDS clusters. Every ambassador_id is watched: the compiler picks per
 * node group. Two resolvers that give one datacenter and service (two agents of
 * one datacenter) share one watch: the Mapping first by namespace/name decides.
 */
export function watchSet(resources: readonly StoredResource[]): Map<string, ServiceWatch> {
  const resolvers = new Map<string, ConsulResolverView>();
  const mappings: StoredResource[] = [];
  let moduleResolver: string | undefined;
  const byName = [...resources].sort((a, b) =>
    compareStrings(
      `${a.resource.metadata.namespace ?? ''}/${a.resource.metadata.name}`,
      `${b.resource.metadata.namespace ?? ''}/${b.resource.metadata.name}`,
    ),
  );
  for (const r of byName) {
    const kind = kindOf(r.resource);
    const spec = (r.resource.spec ?? {}) as Record<string, unknown>;
    if (kind === 'getambassador.io/Mapping') mappings.push(r);
    // A TCPMapping uses a resolver only when it names one (the Module's default is for Mappings).
    else if (kind === 'getambassador.io/TCPMapping' && typeof spec.resolver === 'string') mappings.push(r);
    else if (kind === 'getambassador.io/ConsulResolver') {
      const name = r.resource.metadata.name;
      if (resolvers.has(name)) continue; // first read wins, as in the compiler
      if (typeof spec.address !== 'string' || typeof spec.datacenter !== 'string') continue;
      if (spec.address === '' || spec.datacenter === '') continue;
      resolvers.set(name, {
        ref: refOf(r.resource, r.origin),
        address: spec.address,
        datacenter: spec.datacenter,
      });
    } else if (kind === 'getambassador.io/Module' && r.resource.metadata.name === 'ambassador') {
      const config = spec.config as Record<string, unknown> | undefined;
      if (moduleResolver === undefined && typeof config?.resolver === 'string')
        moduleResolver = config.resolver;
    }
  }
  const out = new Map<string, ServiceWatch>();
  if (resolvers.size === 0) return out;
  for (const m of mappings) {
    const spec = (m.resource.spec ?? {}) as Record<string, unknown>;
    const name = typeof spec.resolver === 'string' ? spec.resolver : moduleResolver;
    const resolver = name === undefined ? undefined : resolvers.get(name);
    if (!resolver || typeof spec.service !== 'string') continue;
    const service = consulServiceName(spec.service);
    if (!service) continue;
    const key = `consul/${resolver.datacenter}/${service}`;
    if (out.has(key)) continue;
    out.set(key, {
      key,
      datacenter: resolver.datacenter,
      service,
      address: resolver.address,
      resolver: resolver.ref,
    });
  }
  return new Map([...out].sort(([a], [b]) => compareStrings(a, b)));
}

/** A Mapping's service as Consul knows it: the host part, without scheme and port (as the http plugin parses it). */
export function consulServiceName(service: string): string | undefined {
  let rest = service.trim().replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '');
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.startsWith('[')) return undefined; // an IPv6 address is no Consul service
  const colon = rest.lastIndexOf(':');
  const host = colon >= 0 ? rest.slice(0, colon) : rest;
  return host === '' || /[\s/?#@]/.test(host) ? undefined : host;
}
