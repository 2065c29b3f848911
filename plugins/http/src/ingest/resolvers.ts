import type { PassContext } from '@attache/core';
import { ExtKey, type HttpResolver } from '../model.js';
import {
  ConsulResolverSpec,
  KubernetesEndpointResolverSpec,
  KubernetesServiceResolverSpec,
} from '../schemas/resolvers.js';
import { admit } from './admit.js';

/** Resolvers by name: Emissary's built-ins plus the resolver resources. */
export function ingestResolvers(ctx: PassContext): void {
  const resolvers: Record<string, HttpResolver> = {
    'kubernetes-service': { name: 'kubernetes-service', kind: 'service' },
    'kubernetes-endpoint': { name: 'kubernetes-endpoint', kind: 'endpoint' },
    endpoint: { name: 'endpoint', kind: 'endpoint' },
  };
  for (const r of admit(ctx, 'KubernetesServiceResolver', KubernetesServiceResolverSpec)) {
    resolvers[r.name] = { name: r.name, kind: 'service', ref: r.ref };
  }
  for (const r of admit(ctx, 'KubernetesEndpointResolver', KubernetesEndpointResolverSpec)) {
    resolvers[r.name] = { name: r.name, kind: 'endpoint', ref: r.ref };
  }
  for (const r of admit<{ datacenter: string }>(ctx, 'ConsulResolver', ConsulResolverSpec)) {
    resolvers[r.name] = { name: r.name, kind: 'consul', ref: r.ref, datacenter: r.spec.datacenter };
  }
  ctx.ir.ext[ExtKey.resolvers] = resolvers;
}
