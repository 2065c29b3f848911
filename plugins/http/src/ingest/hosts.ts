import type { PassContext, PassMemo, ResourceRef, StoredResource } from '@attache/core';
import { isValidHostGlob } from '../hostglob.js';
import { nonAsciiHostnameMessage } from '../idn.js';
import { ExtKey, type HttpHost, type InsecureAction } from '../model.js';
import { SecretResolver } from '../resolve/secrets.js';
import { sameObjects } from '../same-objects.js';
import { HostSpec } from '../schemas/host.js';
import { admit, admitter, snakeCaseKey } from './admit.js';
import { reportAcmeProvider } from './host-acme.js';
import { tlsParameterProblems } from './tls-parameter-checks.js';

/** Host.tls takes TLSContext's snake_case keys in camelCase too (as Emissary does). */
const hostTlsKey = (pointer: string, key: string) => (pointer === '/spec/tls' ? snakeCaseKey(key) : key);

/** Validates Hosts; TLS is resolved later (resolve phase), once Secrets and TLSContexts are known. */
export function ingestHosts(ctx: PassContext): void {
  const memo = ctx.memo;
  if (memo === undefined) {
    ctx.ir.ext[ExtKey.hosts] = ingestAll(ctx).hosts;
    return;
  }
  // Under an incremental compiler: the same Host objects (in order) as last compile, with the same
  // admission salt, give the same HttpHost objects again (diagnostics replayed by the memo), so the
  // passes after it compare them by identity. Reading Secrets (acmeProvider) makes an outcome unkept.
  const stored = ctx.resources('getambassador.io/Host');
  const salt = admitter(ctx, 'Host', HostSpec, {}, hostAdmitOptions).salt;
  const last = lastIngests.get(memo);
  const key = last?.reusable && last.salt === salt && sameObjects(last.stored, stored) ? last.key : {};
  const outcome = memo.reuse(key, salt, () => ingestAll(ctx));
  lastIngests.set(memo, { stored, salt, key, reusable: !outcome.readsSecrets });
  ctx.ir.ext[ExtKey.hosts] = outcome.hosts.slice();
}

const hostAdmitOptions = { normalizeKey: hostTlsKey };

const lastIngests = new WeakMap<
  PassMemo,
  { stored: readonly StoredResource[]; salt: string; key: object; reusable: boolean }
>();

function ingestAll(ctx: PassContext): { hosts: readonly HttpHost[]; readsSecrets: boolean } {
  const hosts: HttpHost[] = [];
  // Envoy compares domains and SNI names without case: A.example.com and a.example.com are one name.
  const byLowerHostname = new Map<string, HttpHost>();
  let secrets: SecretResolver | undefined;
  for (const h of admit<HostSpec>(ctx, 'Host', HostSpec, {}, hostAdmitOptions)) {
    const spec = h.spec;
    const hostname = spec.hostname ?? '*';
    if (!isValidHostGlob(hostname)) {
      ctx.report({
        code: 'HOST_HOSTNAME_INVALID',
        resource: h.ref,
        path: '/spec/hostname',
        message: `spec.hostname '${hostname}' is not a hostname glob; use a name, "*", "*.domain" or "name.*"`,
      });
      continue;
    }
    const idn = nonAsciiHostnameMessage('spec.hostname', hostname);
    if (idn)
      ctx.report({ code: 'HTTP_HOSTNAME_NOT_ASCII', resource: h.ref, path: '/spec/hostname', message: idn });
    if (spec.tlsSecret && spec.tls?.cert_required && !spec.tls.ca_secret) {
      // Emissary would require some client certificate; serving without the check would fail open.
      ctx.report({
        code: 'TLSCONTEXT_CERT_REQUIRED_NO_CA',
        resource: h.ref,
        path: '/spec/tls/cert_required',
        message:
          'spec.tls.cert_required needs spec.tls.ca_secret to verify client certificates; add ca_secret (the Host is left out rather than served without the check)',
      });
      continue;
    }
    const tlsProblems = spec.tlsSecret ? tlsParameterProblems(spec.tls, '/spec/tls') : [];
    if (tlsProblems.length > 0) {
      // Envoy would refuse the Host's TLS context: every TLS connection would fail.
      for (const problem of tlsProblems) ctx.report({ ...problem, resource: h.ref });
      continue;
    }
    const sameName = byLowerHostname.get(hostname.toLowerCase());
    if (sameName && sameName.hostname !== hostname) {
      // The same spelling is HOST_HOSTNAME_DUPLICATE too, reported once TLS is resolved.
      ctx.report({
        code: 'HOST_HOSTNAME_DUPLICATE',
        resource: h.ref,
        path: '/spec/hostname',
        message: `hostname '${hostname}' is '${sameName.hostname}' of Host ${sameName.id} in another case; host names have no case (Envoy would refuse the duplicate domain), so merge the two Hosts or change the hostname`,
      });
      continue;
    }
    const insecure = spec.requestPolicy?.insecure;
    const host: HttpHost = {
      ref: h.ref,
      id: h.id,
      name: h.name,
      namespace: h.namespace,
      labels: h.labels,
      hostname,
      insecureAction: (insecure?.action as InsecureAction | undefined) ?? 'Redirect',
    };
    // Emissary reads the older spelling `selector` in every version when mappingSelector is absent.
    const mappingSelector = spec.mappingSelector ?? spec.selector;
    if (mappingSelector) host.mappingSelector = mappingSelector;
    if (insecure?.additionalPort !== undefined) host.additionalPort = insecure.additionalPort;
    const request: NonNullable<HttpHost['tlsRequest']> = {};
    if (spec.tlsSecret)
      request.secret = { name: spec.tlsSecret.name, namespace: spec.tlsSecret.namespace ?? h.namespace };
    if (spec.tlsContext) request.contextName = spec.tlsContext.name;
    if (spec.tls) request.inline = spec.tls;
    reportIgnoredInlineTls(ctx, h.ref, spec.tls);
    if (spec.acmeProvider) {
      secrets ??= new SecretResolver(ctx);
      const resolver = secrets;
      reportAcmeProvider(ctx, h.ref, h.namespace, spec, (ns, name) => resolver.has(ns, name));
    }
    if (request.secret || request.contextName || request.inline) host.tlsRequest = request;
    if (!sameName) byLowerHostname.set(hostname.toLowerCase(), host);
    hosts.push(host);
  }
  return { hosts, readsSecrets: secrets !== undefined };
}

/**
 * Host.tls fields that cannot apply where a Host terminates TLS. Emissary's
 * Host CRD has no `tls.secret` (the certificate is `tlsSecret`), and
 * redirect_cleartext_from does nothing there either; say so rather than
 * accept them silently (sni has its own code, reported with the TLS).
 */
function reportIgnoredInlineTls(ctx: PassContext, ref: ResourceRef, tls: HostSpec['tls']): void {
  const fixes = {
    secret: 'the certificate comes from spec.tlsSecret; set it there',
    redirect_cleartext_from: 'use spec.requestPolicy.insecure.action',
  } as const;
  for (const [field, fix] of Object.entries(fixes)) {
    if (tls?.[field as keyof typeof fixes] === undefined) continue;
    ctx.report({
      code: 'TLSCONTEXT_FIELD_IGNORED',
      resource: ref,
      path: `/spec/tls/${field}`,
      message: `spec.tls.${field} has no effect on a Host; ${fix}`,
    });
  }
}
