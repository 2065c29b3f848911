import type { FieldExtension } from '@attache/core';
import { Type } from '@sinclair/typebox';
import { LocalRateLimitSpec } from './local.js';
import { RateLimitServiceSpec } from './service.js';

/** One label action (v3alpha1), or a getambassador.io/v2 string / header map: validated by the plugin's pass. */
const LabelAction = Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())]);

/** Mapping `labels`: domain → list of {<group name>: [actions]}. */
export const MappingLabels = Type.Record(
  Type.String(),
  Type.Array(Type.Record(Type.String(), Type.Array(LabelAction)), {
    description: 'Label groups of this domain, each {<group name>: [actions]}.',
  }),
  {
    description:
      'Rate-limit labels: domain → label groups; each group becomes one descriptor sent to the RateLimitService (feature-ratelimit).',
  },
);

/** Module `default_labels`: domain → {defaults: [actions]}. */
export const DefaultLabels = Type.Record(Type.String(), Type.Object({ defaults: Type.Array(LabelAction) }), {
  description: 'Actions prepended to every label group of the domain (feature-ratelimit).',
});

/** Fields of kinds the http plugin owns that this plugin implements. */
export const ratelimitFieldExtensions: FieldExtension[] = [
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/labels',
    schema: MappingLabels,
    description: 'Rate-limit label groups, sent as descriptors to the RateLimitService.',
  },
  {
    kind: 'getambassador.io/Mapping',
    path: '/spec/local_rate_limit',
    schema: LocalRateLimitSpec,
    description: 'A local token bucket for the routes of this Mapping (Attaché).',
  },
  {
    kind: 'getambassador.io/Host',
    path: '/spec/local_rate_limit',
    schema: LocalRateLimitSpec,
    description: 'A local token bucket for every route of this Host (Attaché).',
  },
  {
    kind: 'getambassador.io/Module',
    path: '/spec/config/default_labels',
    schema: DefaultLabels,
    description: 'Default rate-limit label actions per domain.',
  },
  {
    kind: 'getambassador.io/Module',
    path: '/spec/config/default_label_domain',
    schema: Type.String({ description: "The domain of labels without one (default 'ambassador')." }),
    description: 'The default rate-limit label domain.',
  },
];

export { LocalRateLimitSpec, RateLimitServiceSpec };
