import { type Static, Type } from '@sinclair/typebox';
import { AmbassadorId, LabelSelector, StringEnum } from './common.js';

/** getambassador.io/v3alpha1 Listener spec: a port Envoy listens on and which Hosts it serves. */
export const ListenerSpec = Type.Object(
  {
    ambassador_id: Type.Optional(AmbassadorId),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    protocol: Type.Optional(StringEnum(['HTTP', 'HTTPS', 'HTTPPROXY', 'HTTPSPROXY', 'TCP', 'TLS', 'UDP'])),
    protocolStack: Type.Optional(
      Type.Array(StringEnum(['HTTP', 'PROXY', 'TLS', 'TCP', 'UDP']), {
        description: 'Explicit protocol layers, outermost last, e.g. [PROXY, TLS, HTTP, TCP].',
      }),
    ),
    securityModel: StringEnum(['XFP', 'SECURE', 'INSECURE']),
    statsPrefix: Type.Optional(Type.String()),
    l7Depth: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4294967295,
        description: 'Trusted L7 proxies in front (xff_num_trusted_hops).',
      }),
    ),
    http2MaxConcurrentStreams: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    hostBinding: Type.Object({
      namespace: Type.Optional(Type.Object({ from: StringEnum(['SELF', 'ALL', 'SELECTOR']) })),
      selector: Type.Optional(LabelSelector),
    }),
  },
  { additionalProperties: true },
);
export type ListenerSpec = Static<typeof ListenerSpec>;
