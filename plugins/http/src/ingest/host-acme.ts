import type { PassContext, ResourceRef } from '@attache/core';
import type { HostSpec } from '../schemas/host.js';

/**
 * Host `acmeProvider`. Emissary OSS accepts it but runs no ACME client (Edge
 * Stack does), and neither does Attaché. `authority: none` asks for no ACME
 * and is silent. Any other authority (Let's Encrypt when unset) expects a
 * certificate to appear in tlsSecret: if the Host has no tlsSecret, or it
 * names a Secret that does not exist, nothing will ever create it, so say so
 * and name the fix.
 */
export function reportAcmeProvider(
  ctx: PassContext,
  ref: ResourceRef,
  namespace: string,
  spec: HostSpec,
  secretExists: (namespace: string, name: string) => boolean,
): void {
  const acme = spec.acmeProvider;
  if (acme === undefined) return;
  const authority = acme.authority ?? 'https://acme-v02.api.letsencrypt.org/directory';
  if (authority.toLowerCase() === 'none') return;
  if (spec.tlsContext && !spec.tlsSecret) return; // the certificate comes from the TLSContext
  const secret = spec.tlsSecret;
  if (secret && secretExists(secret.namespace ?? namespace, secret.name)) return;
  const missing = secret
    ? `the Secret ${secret.namespace ?? namespace}/${secret.name} in spec.tlsSecret does not exist and nothing will create it`
    : 'the Host has no spec.tlsSecret, so it gets no certificate';
  ctx.report({
    code: 'HOST_ACME_NOT_RUN',
    resource: ref,
    path: '/spec/acmeProvider',
    message: `spec.acmeProvider asks ${authority} for a certificate, but Attaché runs no ACME client (as Emissary OSS): ${missing}. Issue the certificate with cert-manager (a Certificate whose spec.secretName is the Secret spec.tlsSecret names) and set spec.tlsSecret, or set acmeProvider.authority: none if the Host needs no certificate`,
  });
}
