import { type Static, Type } from '@sinclair/typebox';

/** Plugin config (attache.yaml `plugins.http`). */
export const HttpPluginConfig = Type.Object({
  ambassadorNamespace: Type.String({
    default: 'default',
    description:
      "The namespace Attaché runs in: services there are addressed by bare name, and the fallback certificate is looked up there (Emissary's AMBASSADOR_NAMESPACE).",
  }),
  defaultListeners: Type.Boolean({
    default: false,
    description:
      'Synthesize Listeners on 8080 (HTTP) and 8443 (HTTPS) when none is defined. Off by default, as in Emissary 2+.',
  }),
});
export type HttpPluginConfig = Static<typeof HttpPluginConfig>;

export function configOf(raw: unknown): HttpPluginConfig {
  const c = (raw ?? {}) as Partial<HttpPluginConfig>;
  return {
    ambassadorNamespace: c.ambassadorNamespace ?? 'default',
    defaultListeners: c.defaultListeners ?? false,
  };
}
