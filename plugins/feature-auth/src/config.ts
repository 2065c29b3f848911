import { type Static, Type } from '@sinclair/typebox';

export const FeatureAuthConfig = Type.Object(
  {
    authorizeProbes: Type.Boolean({
      default: false,
      description:
        "Send the built-in probe routes (/ambassador/v0/check_alive, check_ready) through the auth service too. Off by default: a load balancer's probe carries no credentials.",
    }),
  },
  { additionalProperties: false },
);
export type FeatureAuthConfig = Static<typeof FeatureAuthConfig>;
