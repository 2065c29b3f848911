import {
  defineExtPoint,
  type PassContext,
  refOf,
  requestServices,
  requestTlsTerminations,
  type ServiceRequest,
  specServedHere,
  type TlsTerminationRequest,
  writeExt,
} from '@attache/core';
import { readTcpMapping, type TcpMappingConfig } from './read-tcpmapping.js';

export const tcpMappingKind = 'getambassador.io/TCPMapping';

/** The valid TCPMappings of this instance, sorted by namespace/name, with the ids of their requests. */
export interface TcpMappingsFacts {
  mappings: ReadonlyArray<{ config: TcpMappingConfig; serviceRequest: string; terminationRequest?: string }>;
}

export const TcpMappingsExt = defineExtPoint<TcpMappingsFacts>(
  'feature-tcp.mappings',
  'the valid TCPMappings and their service / TLS-termination request ids, written by feature-tcp in ingest',
);

/** The SNI-termination request id for a host: one per name, shared by every TCPMapping asking for it. */
export const terminationRequestId = (host: string) => `feature-tcp/sni/${host}`;

/**
 * Validates every TCPMapping of this instance and asks, in ingest, for what
 * only the HTTP model can resolve: a cluster to each service (namespaces,
 * https://, TLSContexts for origination, resolvers) and TLS termination for
 * each SNI name (a Host or TLSContext serving it).
 */
export function ingestTcpMappings(ctx: PassContext): void {
  const mappings: Array<TcpMappingsFacts['mappings'][number]> = [];
  const services: ServiceRequest[] = [];
  const terminations = new Map<string, TlsTerminationRequest>();
  for (const stored of ctx.resources(tcpMappingKind)) {
    const resource = stored.resource as { spec?: unknown };
    if (!specServedHere(ctx, resource.spec)) continue;
    const ref = refOf(stored.resource, stored.origin);
    const { config, problems } = readTcpMapping(ref, resource.spec);
    for (const p of problems) ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (!config) continue;
    const request: ServiceRequest = {
      id: `feature-tcp/${config.namespace}/${config.name}`,
      ref,
      namespace: config.namespace,
      service: config.service,
      servicePath: '/spec/service',
      tlsPath: '/spec/tls',
      namePrefix: config.clusterTag
        ? `cluster_tcp_${config.clusterTag.replace(/[^A-Za-z0-9_.-]/g, '_')}`
        : 'cluster_tcp',
    };
    if (config.tls !== undefined) request.tls = config.tls;
    if (config.circuitBreakers) request.circuitBreakers = config.circuitBreakers;
    if (config.statsName) request.statsName = config.statsName;
    if (config.resolver) {
      request.resolver = config.resolver;
      request.resolverPath = '/spec/resolver';
    }
    if (config.enableIpv4 !== undefined) request.enableIpv4 = config.enableIpv4;
    if (config.enableIpv6 !== undefined) request.enableIpv6 = config.enableIpv6;
    services.push(request);
    const entry: TcpMappingsFacts['mappings'][number] = { config, serviceRequest: request.id };
    if (config.host !== undefined) {
      const id = terminationRequestId(config.host);
      if (!terminations.has(id)) terminations.set(id, { id, ref, serverName: config.host });
      mappings.push({ ...entry, terminationRequest: id });
    } else {
      mappings.push(entry);
    }
  }
  if (services.length > 0) requestServices(ctx.ir.ext, services);
  if (terminations.size > 0) requestTlsTerminations(ctx.ir.ext, [...terminations.values()]);
  writeExt(ctx.ir, TcpMappingsExt, { mappings });
}
