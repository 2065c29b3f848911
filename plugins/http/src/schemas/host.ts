import { type Static, Type } from '@sinclair/typebox';
import { AmbassadorId, FreeForm, LabelSelector, StringEnum } from './common.js';
import { TLSContextSettings } from './tlscontext.js';

const SecretRef = Type.Object({
  name: Type.String({ minLength: 1 }),
  namespace: Type.Optional(Type.String({ description: "Default: the Host's namespace." })),
});

/** getambassador.io/v3alpha1 Host spec: a hostname, its certificate and its insecure-request policy. */
export const HostSpec = Type.Object(
  {
    ambassador_id: Type.Optional(AmbassadorId),
    hostname: Type.Optional(Type.String({ description: 'Hostname glob; default "*".' })),
    mappingSelector: Type.Optional(LabelSelector),
    selector: Type.Optional(LabelSelector),
    tlsSecret: Type.Optional(SecretRef),
    tlsContext: Type.Optional(Type.Object({ name: Type.String({ minLength: 1 }) })),
    tls: Type.Optional(TLSContextSettings),
    requestPolicy: Type.Optional(
      Type.Object({
        insecure: Type.Optional(
          Type.Object({
            action: Type.Optional(StringEnum(['Redirect', 'Reject', 'Route'])),
            additionalPort: Type.Optional(Type.Integer({ minimum: -1, maximum: 65535 })),
          }),
        ),
      }),
    ),
    acmeProvider: Type.Optional(
      Type.Object(
        {
          authority: Type.Optional(
            Type.String({
              description:
                'ACME directory URL (default Let\'s Encrypt); "none" asks for no ACME. Attaché runs no ACME client.',
            }),
          ),
          email: Type.Optional(Type.String({ description: 'ACME account email (unused: no ACME client).' })),
          privateKeySecret: Type.Optional(
            Type.Object(
              { name: Type.Optional(Type.String()) },
              { description: 'ACME account key Secret (unused: no ACME client).' },
            ),
          ),
          registration: Type.Optional(
            Type.String({ description: 'ACME registration (unused: no ACME client).' }),
          ),
        },
        {
          additionalProperties: true,
          description: 'ACME settings: Attaché, like Emissary OSS, runs no ACME client.',
        },
      ),
    ),
    previewUrl: Type.Optional(FreeForm('Ignored.')),
  },
  { additionalProperties: true },
);
export type HostSpec = Static<typeof HostSpec>;
