import { type IRSecret, TypeUrl } from '@attache/core';
import { type LoweredResource, typeUrl } from './common.js';

/**
 * IR secret → Secret. A key pair becomes a tls_certificate; a CA bundle
 * (trustedCa, or a certificate chain without a key) becomes a
 * validation_context. A Secret holds one of the two, so an IR secret with a
 * key pair AND a CA yields the key pair: producers name the CA separately
 * (IRDownstreamTls.caSecret) to use it.
 */
export function lowerSecret(secret: IRSecret): LoweredResource {
  const inline = (pem: string) => ({ inline_string: pem });
  const hasKeyPair = secret.certificateChain !== undefined && secret.privateKey !== undefined;
  const ca = secret.trustedCa ?? (hasKeyPair ? undefined : secret.certificateChain);
  const body = hasKeyPair
    ? {
        tls_certificate: {
          certificate_chain: inline(secret.certificateChain!),
          private_key: inline(secret.privateKey!),
        },
      }
    : { validation_context: ca !== undefined ? { trusted_ca: inline(ca) } : {} };
  return {
    typeUrl: TypeUrl.Secret,
    name: secret.name,
    resource: {
      '@type': typeUrl('envoy.extensions.transport_sockets.tls.v3.Secret'),
      name: secret.name,
      ...body,
    },
    provenance: secret.provenance,
    parts: [],
  };
}
