import { type Static, Type } from '@sinclair/typebox';
import { AmbassadorId, StringEnum } from './common.js';

const TlsVersion = StringEnum(['v1.0', 'v1.1', 'v1.2', 'v1.3']);

/** The TLS parameters shared by TLSContext and Host.tls. */
export const TLSContextSettings = Type.Object(
  {
    secret: Type.Optional(Type.String({ description: 'TLS Secret: name, or name.namespace.' })),
    ca_secret: Type.Optional(
      Type.String({ description: 'Secret holding the CA certificate (tls.crt or ca.crt).' }),
    ),
    cert_required: Type.Optional(
      Type.Boolean({ description: 'Require a client certificate (needs ca_secret).' }),
    ),
    alpn_protocols: Type.Optional(
      Type.String({ description: 'Comma-separated ALPN protocols, e.g. "h2,http/1.1".' }),
    ),
    min_tls_version: Type.Optional(TlsVersion),
    max_tls_version: Type.Optional(TlsVersion),
    cipher_suites: Type.Optional(Type.Array(Type.String())),
    ecdh_curves: Type.Optional(Type.Array(Type.String())),
    sni: Type.Optional(
      Type.String({ maxLength: 255, description: 'SNI sent when originating TLS (upstream only).' }),
    ),
    redirect_cleartext_from: Type.Optional(
      Type.Integer({ description: 'Accepted for compatibility; no effect.' }),
    ),
    secret_namespacing: Type.Optional(
      Type.Boolean({ description: 'Read secret as name.namespace (default true).' }),
    ),
  },
  { additionalProperties: true },
);

/** getambassador.io/v3alpha1 TLSContext spec. */
export const TLSContextSpec = Type.Object(
  {
    ambassador_id: Type.Optional(AmbassadorId),
    hosts: Type.Optional(Type.Array(Type.String(), { description: 'Hostnames this context serves.' })),
    ...TLSContextSettings.properties,
  },
  { additionalProperties: true },
);
export type TLSContextSpec = Static<typeof TLSContextSpec>;
export type TLSContextSettings = Static<typeof TLSContextSettings>;
