import type { PassContext } from '@attache/core';
import { isValidHostGlob } from '../hostglob.js';
import { ExtKey, type HttpHost, type InsecureAction } from '../model.js';
import { HostSpec } from '../schemas/host.js';
import { admit } from './admit.js';

/** Validates Hosts; TLS is resolved later (resolve phase), once Secrets and TLSContexts are known. */
export function ingestHosts(ctx: PassContext): void {
  const hosts: HttpHost[] = [];
  for (const h of admit<HostSpec>(ctx, 'Host', HostSpec)) {
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
    if (request.secret || request.contextName || request.inline) host.tlsRequest = request;
    hosts.push(host);
  }
  ctx.ir.ext[ExtKey.hosts] = hosts;
}
