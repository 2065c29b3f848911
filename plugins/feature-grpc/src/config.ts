import { type Static, Type } from '@sinclair/typebox';

/** One proxyless gRPC target: what `xds:///<target>` resolves to. */
export const ProxylessTarget = Type.Object(
  {
    target: Type.String({
      minLength: 1,
      pattern: '^[^/\\s]+$',
      description: 'The name gRPC clients dial as xds:///<target>: the API listener name.',
    }),
    host: Type.String({
      minLength: 1,
      description:
        'The Host whose Mappings serve the target: namespace/name, or its hostname (a hostname that several Hosts share picks the first by namespace/name).',
    }),
  },
  { additionalProperties: false },
);

/** `plugins: - id: feature-grpc, config: {...}` in attache.yaml. */
export const GrpcPluginConfig = Type.Object(
  {
    proxyless: Type.Array(ProxylessTarget, {
      default: [],
      description:
        "Targets served to gRPC's own xDS clients (proxyless gRPC): an API listener each, with the routes of a Host over RDS and EDS clusters.",
    }),
  },
  { additionalProperties: false, default: {} },
);

export type GrpcPluginConfig = Static<typeof GrpcPluginConfig>;
export type ProxylessTarget = Static<typeof ProxylessTarget>;
