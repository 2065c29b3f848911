import { type IRDownstreamTls, type PassContext, readExt, TlsTerminationRequestsExt } from '@attache/core';
import { configOf } from '../config.js';
import { ExtKey, type HttpHost, type HttpTLSContext } from '../model.js';
import type { TLSContextSettings } from '../schemas/tlscontext.js';
import { SecretResolver, splitSecretName } from './secrets.js';
import { tlsParameters } from './tls-settings.js';

/**
 * Gives every Host its downstream TLS (certificate, CA, parameters), drops
 * Hosts whose TLS cannot work (with a diagnostic, where Emissary only logs),
 * keeps one Host per hostname, and synthesizes Emissary's default Host when
 * none is left.
 */
export function resolveHostTls(ctx: PassContext): void {
  const config = configOf(ctx.config);
  const secrets = new SecretResolver(ctx);
  const contexts = (ctx.ir.ext[ExtKey.tlsContexts] as HttpTLSContext[] | undefined) ?? [];
  const contextsByName = new Map<string, HttpTLSContext[]>();
  for (const c of contexts) contextsByName.set(c.name, [...(contextsByName.get(c.name) ?? []), c]);
  const findContext = (name: string, namespace: string) => {
    const candidates = contextsByName.get(name) ?? [];
    return candidates.find((c) => c.namespace === namespace) ?? candidates[0];
  };

  const hosts = (ctx.ir.ext[ExtKey.hosts] as HttpHost[] | undefined) ?? [];
  const kept: HttpHost[] = [];
  const byHostname = new Map<string, HttpHost>();
  for (const host of hosts) {
    const request = host.tlsRequest;
    if (request) {
      let context: HttpTLSContext | undefined;
      if (request.contextName && request.inline) {
        ctx.report({
          code: 'HOST_TLS_AMBIGUOUS',
          resource: host.ref,
          path: '/spec/tls',
          message:
            'spec.tls and spec.tlsContext are both set; keep one (inline settings, or a TLSContext by name)',
        });
        continue;
      }
      if (request.contextName) {
        context = findContext(request.contextName, host.namespace);
        if (!context) {
          ctx.report({
            code: 'HOST_TLS_CONTEXT_UNKNOWN',
            resource: host.ref,
            path: '/spec/tlsContext/name',
            message: `TLSContext '${request.contextName}' does not exist; create it or fix spec.tlsContext.name`,
          });
          continue;
        }
      } else if (request.secret && !request.inline) {
        // Emissary adopts a TLSContext named "<host>-context" silently.
        context = findContext(`${host.name}-context`, host.namespace);
      }
      const settings: TLSContextSettings = { ...(context?.spec ?? {}), ...(request.inline ?? {}) };
      let secretRef = request.secret;
      if (context?.spec.secret) {
        const fromContext = splitSecretName(
          context.spec.secret,
          context.namespace,
          context.spec.secret_namespacing,
        );
        if (
          secretRef &&
          (secretRef.name !== fromContext.name || secretRef.namespace !== fromContext.namespace)
        ) {
          ctx.report({
            code: 'HOST_TLS_CONTEXT_MISMATCH',
            resource: host.ref,
            path: '/spec/tlsSecret',
            message: `spec.tlsSecret ${secretRef.namespace}/${secretRef.name} differs from TLSContext ${context.name}'s secret ${fromContext.namespace}/${fromContext.name}; make them the same or drop one`,
          });
          continue;
        }
        secretRef = fromContext;
      }
      if (secretRef) {
        const certificate = secrets.certificate(
          secretRef.namespace,
          secretRef.name,
          context?.ref ?? host.ref,
        );
        if (context) secrets.certificate(secretRef.namespace, secretRef.name, host.ref);
        if (!certificate) {
          ctx.report({
            code: 'HOST_SECRET_MISSING',
            resource: host.ref,
            path: request.secret ? '/spec/tlsSecret/name' : '/spec/tlsContext/name',
            message: `TLS Secret ${secretRef.namespace}/${secretRef.name} ${secrets.reason(secretRef.namespace, secretRef.name, 'certificate')}; create it (kubernetes.io/tls) or fix the reference`,
          });
          continue;
        }
        const tls: IRDownstreamTls = { certificateSecret: certificate, ...tlsParameters(settings) };
        if (settings.ca_secret) {
          const ca = splitSecretName(
            settings.ca_secret,
            context?.namespace ?? host.namespace,
            settings.secret_namespacing,
          );
          const caSecret = secrets.ca(ca.namespace, ca.name, context?.ref ?? host.ref);
          if (context) secrets.ca(ca.namespace, ca.name, host.ref);
          if (!caSecret) {
            ctx.report({
              code: 'TLSCONTEXT_SECRET_MISSING',
              resource: context?.ref ?? host.ref,
              path: context ? '/spec/ca_secret' : '/spec/tls/ca_secret',
              message: `CA Secret ${ca.namespace}/${ca.name} ${secrets.reason(ca.namespace, ca.name, 'ca')}; create it or fix ca_secret`,
            });
            continue;
          }
          tls.caSecret = caSecret;
          if (settings.cert_required) tls.requireClientCertificate = true;
        }
        if (settings.sni !== undefined) {
          ctx.report({
            code: 'TLSCONTEXT_SNI_ON_TERMINATION',
            resource: context?.ref ?? host.ref,
            path: context ? '/spec/sni' : '/spec/tls/sni',
            message: `sni is ignored where TLS is terminated for Host ${host.id}; it only applies to Mapping spec.tls (origination)`,
          });
        }
        host.tls = tls;
      }
    }
    const previous = byHostname.get(host.hostname);
    if (previous) {
      ctx.report({
        code: 'HOST_HOSTNAME_DUPLICATE',
        resource: host.ref,
        path: '/spec/hostname',
        message: `hostname '${host.hostname}' is already served by Host ${previous.id}; merge the two Hosts or change the hostname`,
      });
      continue;
    }
    byHostname.set(host.hostname, host);
    kept.push(host);
  }

  if (kept.length === 0) {
    // A TLSContext that terminates TLS for a TCPMapping's host (feature-tcp) is in use without a Host.
    const asked = new Set((readExt(ctx.ir, TlsTerminationRequestsExt) ?? []).map((r) => r.serverName));
    for (const c of contexts) {
      if (c.spec.hosts?.length && !c.spec.hosts.some((h) => asked.has(h))) {
        ctx.report({
          code: 'TLSCONTEXT_NO_HOSTS_DEFINED',
          resource: c.ref,
          path: '/spec/hosts',
          message:
            'no Host is defined, so this TLSContext terminates nothing; create a Host whose tlsContext names it',
        });
      }
    }
    const fallback = secrets.certificate(config.ambassadorNamespace, 'fallback-self-signed-cert');
    const host: HttpHost = {
      ref: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        namespace: config.ambassadorNamespace,
        name: 'default-host',
      },
      id: `${config.ambassadorNamespace}/default-host`,
      name: 'default-host',
      namespace: config.ambassadorNamespace,
      labels: {},
      hostname: '*',
      insecureAction: fallback ? 'Redirect' : 'Route',
      synthesized: true,
    };
    if (fallback) host.tls = { certificateSecret: fallback };
    ctx.report({
      code: 'HTTP_DEFAULT_HOST',
      message: fallback
        ? 'no Host is defined: serving every hostname with the certificate fallback-self-signed-cert, redirecting cleartext; define a Host to choose'
        : 'no Host is defined: serving every hostname over cleartext only; define a Host to choose hostnames and TLS',
    });
    kept.push(host);
  }
  secrets.reportProblems();
  ctx.ir.ext[ExtKey.hosts] = kept;
}
