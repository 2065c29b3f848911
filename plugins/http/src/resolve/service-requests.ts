import {
  contentHash,
  type IRCluster,
  type IRUpstreamTls,
  mergeProvenance,
  type PassContext,
  readExt,
  type ServiceGrant,
  ServiceGrantsExt,
  type ServiceRequest,
  ServiceRequestsExt,
  writeExt,
} from '@attache/core';
import { configOf } from '../config.js';
import {
  ExtKey,
  type HttpMapping,
  type HttpModule,
  type HttpResolver,
  type HttpTLSContext,
} from '../model.js';
import { parseService } from '../service.js';
import { ConsulEndpointIndex, consulEdsName } from './consul-endpoints.js';
import { EndpointIndex } from './endpoints.js';
import { SecretResolver } from './secrets.js';
import { findTlsContext, upstreamTlsFromContext, withServiceSni } from './upstream-tls.js';

/**
 * Resolves the clusters feature plugins asked for (core's ServiceRequestsExt:
 * an AuthService's auth_service, a RateLimitService's service) the way a
 * Mapping's service resolves: Emissary's `[scheme://]host[:port]` syntax, bare
 * names in the Attaché namespace, `https://` and TLSContexts for TLS
 * origination, the Module's cluster defaults. Grants go back through
 * ServiceGrantsExt; problems are reported on the requesting resource.
 */
export function resolveServiceRequests(ctx: PassContext): void {
  const requests = readExt(ctx.ir, ServiceRequestsExt) ?? [];
  if (requests.length === 0) return;
  const config = configOf(ctx.config);
  const module = (ctx.ir.ext[ExtKey.module] as HttpModule | undefined)?.config ?? {};
  const contexts = (ctx.ir.ext[ExtKey.tlsContexts] as HttpTLSContext[] | undefined) ?? [];
  const secrets = new SecretResolver(ctx);
  const resolvers = (ctx.ir.ext[ExtKey.resolvers] as Record<string, HttpResolver> | undefined) ?? {};
  let endpoints: EndpointIndex | undefined;
  let consul: ConsulEndpointIndex | undefined;
  const grants: Record<string, ServiceGrant> = {};
  for (const request of requests) {
    // Only requests that name a resolver (TCPMappings) use one; the others keep DNS, as in Emissary.
    const resolver = request.resolver === undefined ? undefined : resolvers[request.resolver];
    if (request.resolver !== undefined && !resolver) {
      ctx.report({
        code: 'SERVICE_RESOLVER_UNKNOWN',
        resource: request.ref,
        path: request.resolverPath ?? '/spec/resolver',
        message: `resolver '${request.resolver}' does not exist; create a KubernetesServiceResolver, KubernetesEndpointResolver or ConsulResolver of that name, or remove the resolver (it is not used)`,
      });
      grants[request.id] = { refused: true };
      continue;
    }
    if (resolver?.kind === 'endpoint') endpoints ??= new EndpointIndex(ctx);
    if (resolver?.kind === 'consul') consul ??= new ConsulEndpointIndex(ctx);
    grants[request.id] = grant(
      ctx,
      request,
      config.ambassadorNamespace,
      module,
      contexts,
      secrets,
      resolver?.kind === 'endpoint' ? endpoints : undefined,
      resolver?.kind === 'consul' && consul ? { index: consul, resolver } : undefined,
    );
  }
  secrets.reportProblems();
  writeExt(ctx.ir, ServiceGrantsExt, grants);
}

function grant(
  ctx: PassContext,
  request: ServiceRequest,
  ambassadorNamespace: string,
  module: HttpModule['config'],
  contexts: readonly HttpTLSContext[],
  secrets: SecretResolver,
  /** Set when the request resolves through Kubernetes endpoints (EDS) instead of DNS. */
  endpoints?: EndpointIndex,
  /** Set when the request resolves through a ConsulResolver (EDS filled by the Consul source). */
  consul?: { index: ConsulEndpointIndex; resolver: HttpResolver },
): ServiceGrant {
  const service = parseService(request.service);
  if ('error' in service) {
    ctx.report({
      code: 'SERVICE_INVALID',
      resource: request.ref,
      path: request.servicePath,
      message: `'${request.service}' is not a service: ${service.error}; write host[:port] (e.g. auth.security:3000), optionally with http:// or https://`,
    });
    return { refused: true };
  }
  let tls: IRUpstreamTls | undefined;
  if (typeof request.tls === 'string') {
    const context = findTlsContext(contexts, request.tls, request.namespace);
    if (!context) {
      ctx.report({
        code: 'SERVICE_TLS_CONTEXT_UNKNOWN',
        resource: request.ref,
        path: request.tlsPath ?? '/spec/tls',
        message: `TLSContext '${request.tls}' does not exist; create it or fix ${(request.tlsPath ?? '/spec/tls').slice(1).replace(/\//g, '.')} (it is not used, rather than silently sending cleartext)`,
      });
      return { refused: true };
    }
    tls = upstreamTlsFromContext(ctx, context, secrets);
    if (!tls) return { refused: true };
  } else if (request.tls === true || service.scheme === 'https') {
    tls = {};
  }
  const port = service.port ?? (tls ? 443 : 80);
  withServiceSni(tls, service.host);
  // As for Mappings: bare names outside the Attaché namespace are qualified with the requester's.
  const qualify = (name: string, namespace: string) =>
    name.includes('.') ||
    name.includes(':') ||
    namespace === ambassadorNamespace ||
    module.use_ambassador_namespace_for_service_resolution
      ? name
      : `${name}.${namespace}`;
  const host = qualify(service.host, request.namespace);
  const targets = [{ host, port }];
  for (const more of request.moreServices ?? []) {
    const other = parseService(more.service);
    if ('error' in other) {
      ctx.report({
        code: 'SERVICE_INVALID',
        resource: more.ref,
        path: more.servicePath,
        message: `'${more.service}' is not a service: ${other.error}; write host[:port] (e.g. auth.security:3000), optionally with http:// or https://`,
      });
      continue;
    }
    const target = { host: qualify(other.host, more.namespace), port: other.port ?? (tls ? 443 : 80) };
    if (!targets.some((t) => t.host === target.host && t.port === target.port)) targets.push(target);
  }
  const ipv4 = request.enableIpv4 ?? module.enable_ipv4 ?? true;
  const ipv6 = request.enableIpv6 ?? module.enable_ipv6 ?? false;
  const settings: Omit<IRCluster, 'name' | 'provenance'> = {
    discovery: 'STRICT_DNS',
    targets,
    connectTimeoutMs: request.connectTimeoutMs ?? 3000,
    lbPolicy: 'ROUND_ROBIN',
    dnsLookupFamily: ipv6 ? (ipv4 ? 'AUTO' : 'V6_ONLY') : 'V4_ONLY',
  };
  let authority = `${host}:${port}`;
  if (endpoints) {
    // As for a Mapping with the endpoint resolver: EDS from the Service's Endpoints/EndpointSlices.
    const home = module.use_ambassador_namespace_for_service_resolution
      ? ambassadorNamespace
      : request.namespace;
    const [name, namespace = home] = service.host.split('.');
    const edsServiceName = `k8s/${namespace}/${name}/${port}`;
    delete settings.targets;
    delete settings.dnsLookupFamily;
    settings.discovery = 'EDS';
    settings.edsServiceName = edsServiceName;
    authority = `${name}.${namespace}:${port}`;
    endpoints.fill(edsServiceName, namespace, name!, port, { ref: request.ref } as HttpMapping);
  } else if (consul) {
    // As for a Mapping with a ConsulResolver: the service as written, instances carry their own ports.
    const edsServiceName = consulEdsName(consul.resolver.datacenter ?? '', service.host);
    delete settings.targets;
    delete settings.dnsLookupFamily;
    settings.discovery = 'EDS';
    settings.edsServiceName = edsServiceName;
    authority = `${service.host}:${port}`;
    consul.index.fill(edsServiceName, consul.resolver.ref, { ref: request.ref } as HttpMapping);
  }
  if (tls) settings.tls = tls;
  if (request.http2) settings.http2 = true;
  const breakers =
    request.circuitBreakers ??
    module.circuit_breakers?.map((b) => {
      const cb: NonNullable<IRCluster['circuitBreakers']>[number] = {
        priority: b.priority === 'high' ? 'HIGH' : 'DEFAULT',
      };
      if (b.max_connections !== undefined) cb.maxConnections = b.max_connections;
      if (b.max_pending_requests !== undefined) cb.maxPendingRequests = b.max_pending_requests;
      if (b.max_requests !== undefined) cb.maxRequests = b.max_requests;
      if (b.max_retries !== undefined) cb.maxRetries = b.max_retries;
      return cb;
    });
  if (breakers?.length) settings.circuitBreakers = breakers;
  if (request.statsName) settings.extra = { alt_stat_name: request.statsName };
  const base = (settings.edsServiceName ? `eds_${settings.edsServiceName}` : `${host}_${port}`).replace(
    /[^A-Za-z0-9_.-]/g,
    '_',
  );
  const name = `${request.namePrefix}_${base}_${contentHash(JSON.stringify(settings)).slice(0, 8)}`;
  const refs = [request.ref, ...(request.moreServices ?? []).map((m) => m.ref)];
  const existing = ctx.ir.clusters[name];
  // Two requesters of one service share its cluster; provenance names both.
  ctx.ir.clusters[name] = existing
    ? { ...existing, provenance: mergeProvenance(existing.provenance, refs) }
    : { name, ...settings, provenance: mergeProvenance(refs) };
  return { cluster: name, authority };
}
