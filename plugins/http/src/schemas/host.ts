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
    acmeProvider: Type.Optional(FreeForm('ACME settings (not implemented by Attaché; ignored).')),
    previewUrl: Type.Optional(FreeForm('Ignored.')),
  },
  { additionalProperties: true },
);
export type HostSpec = Static<typeof HostSpec>;
