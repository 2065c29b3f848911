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
  strictLabelSelectors: Type.Boolean({
    default: true,
    description:
      "A Host with a mappingSelector takes a Mapping that has a hostname only when both match (Emissary's default since 3.2). false: either one suffices, as Emissary with DISABLE_STRICT_LABEL_SELECTORS=true.",
  }),
});
export type HttpPluginConfig = Static<typeof HttpPluginConfig>;

export function configOf(raw: unknown): HttpPluginConfig {
  const c = (raw ?? {}) as Partial<HttpPluginConfig>;
  return {
    ambassadorNamespace: c.ambassadorNamespace ?? 'default',
    defaultListeners: c.defaultListeners ?? false,
    strictLabelSelectors: c.strictLabelSelectors ?? true,
  };
}
