import {
  type IRDownstreamTls,
  type PassContext,
  readExt,
  type TlsTerminationGrant,
  TlsTerminationGrantsExt,
  TlsTerminationRequestsExt,
  writeExt,
} from '@attache/core';
import { globMatches } from '../hostglob.js';
import { ExtKey, type HttpHost, type HttpTLSContext } from '../model.js';
import { SecretResolver, splitSecretName } from './secrets.js';
import { tlsParameters } from './tls-settings.js';

/**
 * TLS termination for SNI names outside the HTTP model (core's
 * TlsTerminationRequestsExt: a TCPMapping's `host`), paired the way Emissary
 * pairs them (v3listener.py tlscontext_for_tcpmapping): a Host with TLS whose
 * hostname glob matches the name first (by hostname order), then a TLSContext
 * whose `hosts` lists the name exactly. The catch-all Host this plugin makes
 * up when none exists is not used: its self-signed fallback would turn
 * passthrough into termination nobody asked for.
 */
export function resolveTlsTerminations(ctx: PassContext): void {
  const requests = readExt(ctx.ir, TlsTerminationRequestsExt) ?? [];
  if (requests.length === 0) return;
  const hosts = [...((ctx.ir.ext[ExtKey.hosts] as HttpHost[] | undefined) ?? [])]
    .filter((h) => h.tls !== undefined && !h.synthesized)
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  const contexts = (ctx.ir.ext[ExtKey.tlsContexts] as HttpTLSContext[] | undefined) ?? [];
  const secrets = new SecretResolver(ctx);
  const fromContext = new Map<HttpTLSContext, IRDownstreamTls | undefined>();
  const grants: Record<string, TlsTerminationGrant> = {};
  for (const request of requests) {
    const host = hosts.find((h) => globMatches(h.hostname.replace(/:[0-9]+$/, ''), request.serverName));
    if (host) {
      grants[request.id] = { tls: host.tls!, source: host.ref };
      continue;
    }
    const context = contexts.find((c) => c.spec.hosts?.includes(request.serverName));
    if (!context) {
      grants[request.id] = { none: true };
      continue;
    }
    if (!fromContext.has(context)) fromContext.set(context, terminationFromContext(ctx, context, secrets));
    const tls = fromContext.get(context);
    grants[request.id] = tls ? { tls, source: context.ref } : { refused: true, source: context.ref };
  }
  secrets.reportProblems();
  writeExt(ctx.ir, TlsTerminationGrantsExt, grants);
}

/** Downstream TLS from a TLSContext: its certificate (required), CA and parameters; undefined when a Secret is missing (reported on the TLSContext). */
function terminationFromContext(
  ctx: PassContext,
  context: HttpTLSContext,
  secrets: SecretResolver,
): IRDownstreamTls | undefined {
  const spec = context.spec;
  if (!spec.secret) {
    ctx.report({
      code: 'TLSCONTEXT_SECRET_MISSING',
      resource: context.ref,
      path: '/spec/secret',
      message:
        'this TLSContext lists hosts to terminate TLS for but has no secret (certificate); set spec.secret',
    });
    return undefined;
  }
  const s = splitSecretName(spec.secret, context.namespace, spec.secret_namespacing);
  const certificate = secrets.certificate(s.namespace, s.name, context.ref);
  if (!certificate) {
    ctx.report({
      code: 'TLSCONTEXT_SECRET_MISSING',
      resource: context.ref,
      path: '/spec/secret',
      message: `TLS Secret ${s.namespace}/${s.name} ${secrets.reason(s.namespace, s.name, 'certificate')}; create it (kubernetes.io/tls) or fix spec.secret`,
    });
    return undefined;
  }
  const tls: IRDownstreamTls = { certificateSecret: certificate, ...tlsParameters(spec) };
  if (spec.ca_secret) {
    const ca = splitSecretName(spec.ca_secret, context.namespace, spec.secret_namespacing);
    const caSecret = secrets.ca(ca.namespace, ca.name, context.ref);
    if (!caSecret) {
      ctx.report({
        code: 'TLSCONTEXT_SECRET_MISSING',
        resource: context.ref,
        path: '/spec/ca_secret',
        message: `CA Secret ${ca.namespace}/${ca.name} ${secrets.reason(ca.namespace, ca.name, 'ca')}; create it or fix ca_secret`,
      });
      return undefined;
    }
    tls.caSecret = caSecret;
    if (spec.cert_required) tls.requireClientCertificate = true;
  }
  return tls;
}
