import type { PassContext } from '@attache/core';
import { ExtKey, type HttpTLSContext } from '../model.js';
import { TLSContextSpec } from '../schemas/tlscontext.js';
import { admit } from './admit.js';
import { tlsParameterProblems } from './tls-parameter-checks.js';

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
    const tlsProblems = tlsParameterProblems(t.spec, '/spec');
    if (tlsProblems.length > 0) {
      // Envoy would refuse every TLS context built from it: leave the TLSContext out, as Envoy would.
      for (const problem of tlsProblems) ctx.report({ ...problem, resource: t.ref });
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
