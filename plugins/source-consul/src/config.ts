import { type Static, Type } from '@sinclair/typebox';

/** `sources.consul` in attache.yaml. Every field is optional: `consul: {}` watches over HTTP. */
export const consulSourceConfigSchema = Type.Object(
  {
    token: Type.Optional(
      Type.Object(
        {
          env: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'Environment variable holding the ACL token (default CONSUL_HTTP_TOKEN, when set).',
            }),
          ),
          secret: Type.Optional(
            Type.Object(
              {
                name: Type.String({ minLength: 1 }),
                namespace: Type.Optional(Type.String({ minLength: 1, default: 'default' })),
                key: Type.Optional(Type.String({ minLength: 1, default: 'token' })),
              },
              {
                additionalProperties: false,
                description:
                  'A Secret (from any source: a file, Kubernetes) whose data[key] is the ACL token.',
              },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    tls: Type.Optional(
      Type.Object(
        {
          caFile: Type.Optional(
            Type.String({ minLength: 1, description: "PEM CA bundle for the agent's certificate." }),
          ),
          certFile: Type.Optional(
            Type.String({ minLength: 1, description: 'Client certificate (mutual TLS).' }),
          ),
          keyFile: Type.Optional(Type.String({ minLength: 1, description: 'Client key (mutual TLS).' })),
          serverName: Type.Optional(Type.String({ minLength: 1, description: 'SNI and name to verify.' })),
        },
        { additionalProperties: false, description: 'Speak HTTPS to the agents (scheme defaults to https).' },
      ),
    ),
    scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
    addresses: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), {
        description:
          "Dial another host:port than a ConsulResolver's address (key: the address as the resolver writes it).",
      }),
    ),
    waitSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 600,
        default: 300,
        description: 'Blocking query wait (Consul caps at 600).',
      }),
    ),
    backoff: Type.Optional(
      Type.Object(
        {
          initialMs: Type.Optional(Type.Integer({ minimum: 1, default: 250 })),
          maxMs: Type.Optional(Type.Integer({ minimum: 1, default: 10000 })),
        },
        {
          additionalProperties: false,
          description: 'Reconnect delays after a failed query, doubling up to maxMs.',
        },
      ),
    ),
    syncTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 10000,
        description: 'At start, how long to wait for every watched service before reporting synced anyway.',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ConsulSourceConfig = Static<typeof consulSourceConfigSchema>;
