import {
  type IRDownstreamTls,
  type PassContext,
  type ResourceRef,
  readExt,
  refOf,
  type TlsTerminationGrant,
  TlsTerminationGrantsExt,
  TlsTerminationRequestsExt,
  writeExt,
} from '@attache/core';
import { globMatches } from '../hostglob.js';
import { servesAmbassadorId } from '../ingest/ambassador-id.js';
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
  const broken = brokenTlsHosts(ctx, hosts);
  const secrets = new SecretResolver(ctx);
  const fromContext = new Map<HttpTLSContext, IRDownstreamTls | undefined>();
  const grants: Record<string, TlsTerminationGrant> = {};
  for (const request of requests) {
    const host = hosts.find((h) => globMatches(h.hostname.replace(/:[0-9]+$/, ''), request.serverName));
    if (host) {
      grants[request.id] = { tls: host.tls!, source: host.ref };
      continue;
    }
    // A Host that asks for TLS for this name but was dropped (its Secret is missing): refused,
    // never a silent switch to passthrough.
    const dropped = broken.find((b) => globMatches(b.hostname, request.serverName));
    if (dropped) {
      grants[request.id] = { refused: true, source: dropped.ref };
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

/** Hosts of this instance that ask for TLS but did not survive TLS resolution (reported there). */
function brokenTlsHosts(
  ctx: PassContext,
  resolved: readonly HttpHost[],
): Array<{ hostname: string; ref: ResourceRef }> {
  const kept = new Set(resolved.map((h) => `${h.ref.namespace ?? ''}/${h.ref.name}`));
  const out: Array<{ hostname: string; ref: ResourceRef }> = [];
  for (const stored of ctx.resources('getambassador.io/Host')) {
    const spec = (stored.resource as { spec?: unknown }).spec as Record<string, unknown> | undefined;
    if (!spec || typeof spec.hostname !== 'string') continue;
    if (!spec.tlsSecret && !spec.tlsContext && !spec.tls) continue;
    if (!servesAmbassadorId(spec, ctx.options.ambassadorId ?? 'default')) continue;
    const ref = refOf(stored.resource, stored.origin);
    if (kept.has(`${ref.namespace ?? ''}/${ref.name}`)) continue;
    out.push({ hostname: spec.hostname.replace(/:[0-9]+$/, ''), ref });
  }
  return out.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
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
