import type { PassContext } from '@attache/core';
import { ExtKey, type HttpModule, type HttpResolver, type HttpTLSContext } from '../model.js';
import { ModuleSpec } from '../schemas/module.js';
import {
  ConsulResolverSpec,
  KubernetesEndpointResolverSpec,
  KubernetesServiceResolverSpec,
} from '../schemas/resolvers.js';
import { TLSContextSpec } from '../schemas/tlscontext.js';
import { admit } from './admit.js';

const keysWithoutEffect: Record<string, string> = {
  xff_num_trusted_hops: 'set spec.l7Depth on the Listener instead',
  use_proxy_proto: 'use Listener protocol HTTPPROXY or HTTPSPROXY instead',
  x_forwarded_proto_redirect: "use the Host's requestPolicy.insecure.action: Redirect instead",
};

/** Reads the `ambassador` Module (earliest by namespace/name if several). */
export function ingestModule(ctx: PassContext): void {
  const module: HttpModule = { config: {} };
  for (const m of admit<ModuleSpec>(ctx, 'Module', ModuleSpec)) {
    if (m.name !== 'ambassador') {
      ctx.report({
        code: 'MODULE_NAME_UNKNOWN',
        resource: m.ref,
        path: '/metadata/name',
        message: `Module '${m.name}' is ignored: only the Module named "ambassador" configures the HTTP edge`,
      });
      continue;
    }
    if (module.ref) continue;
    module.ref = m.ref;
    module.config = m.spec.config ?? {};
    for (const [key, fix] of Object.entries(keysWithoutEffect)) {
      if ((module.config as Record<string, unknown>)[key] !== undefined) {
        ctx.report({
          code: 'MODULE_KEY_NO_EFFECT',
          resource: m.ref,
          path: `/spec/config/${key}`,
          message: `spec.config.${key} has no effect with v3alpha1 Listeners (as in Emissary); ${fix}`,
        });
      }
    }
  }
  ctx.ir.ext[ExtKey.module] = module;
}

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

/** Validates TLSContexts; their Secrets are resolved in the resolve phase. */
export function ingestTlsContexts(ctx: PassContext): void {
  const contexts: HttpTLSContext[] = [];
  for (const t of admit<TLSContextSpec>(ctx, 'TLSContext', TLSContextSpec)) {
    if (t.spec.cert_required && !t.spec.ca_secret) {
      ctx.report({
        code: 'TLSCONTEXT_CERT_REQUIRED_NO_CA',
        resource: t.ref,
        path: '/spec/cert_required',
        message: 'cert_required needs spec.ca_secret to verify client certificates; add ca_secret',
      });
      continue;
    }
    if (t.spec.redirect_cleartext_from !== undefined) {
      ctx.report({
        code: 'TLSCONTEXT_FIELD_IGNORED',
        resource: t.ref,
        path: '/spec/redirect_cleartext_from',
        message:
          "redirect_cleartext_from has no effect (as in Emissary); use the Host's requestPolicy.insecure.action",
      });
    }
    contexts.push({
      ref: t.ref,
      id: t.id,
      name: t.name,
      namespace: t.namespace,
      labels: t.labels,
      spec: t.spec,
    });
  }
  ctx.ir.ext[ExtKey.tlsContexts] = contexts;
}
