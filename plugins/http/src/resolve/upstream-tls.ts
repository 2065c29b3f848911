import type { IRUpstreamTls, PassContext } from '@attache/core';
import type { HttpTLSContext } from '../model.js';
import { isIpAddress } from '../service.js';
import { type SecretResolver, splitSecretName } from './secrets.js';
import { tlsParameters } from './tls-settings.js';

/** The TLSContext a name refers to: the one in the referrer's namespace first, else any. */
export function findTlsContext(
  contexts: readonly HttpTLSContext[],
  name: string,
  namespace: string,
): HttpTLSContext | undefined {
  return (
    contexts.find((c) => c.name === name && c.namespace === namespace) ??
    contexts.find((c) => c.name === name)
  );
}

/**
 * Upstream TLS from a TLSContext (parameters, SNI, client certificate, CA), or
 * undefined when a Secret it names is missing — reported on the TLSContext, so
 * the caller leaves its upstream out rather than sending without them.
 */
export function upstreamTlsFromContext(
  ctx: Pick<PassContext, 'report'>,
  context: HttpTLSContext,
  secrets: Pick<SecretResolver, 'certificate' | 'ca' | 'reason'>,
): IRUpstreamTls | undefined {
  const tls: IRUpstreamTls = { ...tlsParameters(context.spec) };
  if (context.spec.sni) tls.sni = context.spec.sni;
  if (context.spec.secret) {
    const s = splitSecretName(context.spec.secret, context.namespace, context.spec.secret_namespacing);
    const cert = secrets.certificate(s.namespace, s.name, context.ref);
    if (!cert) {
      ctx.report({
        code: 'TLSCONTEXT_SECRET_MISSING',
        resource: context.ref,
        path: '/spec/secret',
        message: `client certificate Secret ${s.namespace}/${s.name} ${secrets.reason(s.namespace, s.name, 'certificate')}; create it or fix spec.secret`,
      });
      return undefined;
    }
    tls.certificateSecret = cert;
  }
  if (context.spec.ca_secret) {
    const s = splitSecretName(context.spec.ca_secret, context.namespace, context.spec.secret_namespacing);
    const ca = secrets.ca(s.namespace, s.name, context.ref);
    if (!ca) {
      ctx.report({
        code: 'TLSCONTEXT_SECRET_MISSING',
        resource: context.ref,
        path: '/spec/ca_secret',
        message: `CA Secret ${s.namespace}/${s.name} ${secrets.reason(s.namespace, s.name, 'ca')}; create it or fix spec.ca_secret`,
      });
      return undefined;
    }
    tls.caSecret = ca;
  }
  return tls;
}

/**
 * Most TLS servers need SNI to pick a certificate; Emissary sends none unless a
 * TLSContext says so. The service's own name is the one the upstream expects.
 */
export function withServiceSni(tls: IRUpstreamTls | undefined, host: string): void {
  if (tls && tls.sni === undefined && host.includes('.') && !isIpAddress(host)) tls.sni = host;
}
