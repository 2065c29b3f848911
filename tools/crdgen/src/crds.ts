import { type JsonSchema, toStructural } from './to-structural.js';

export interface CrdKind {
  kind: string;
  plural: string;
  /** The spec schema the compiler validates with; absent → a preserved spec (no plugin owns a schema yet). */
  specSchema?: JsonSchema | undefined;
  shortNames?: string[];
  /** Extra `kubectl get` columns (besides State and Age). */
  columns?: Array<{ name: string; jsonPath: string }>;
}

export const crdGroup = 'getambassador.io';
export const crdVersion = 'v3alpha1';

/** What the source writes back (plugins/source-kubernetes resource-status.ts). */
const statusSchema: JsonSchema = {
  type: 'object',
  description:
    'Written by Attaché: whether the resource compiled into the Envoy configuration, and if not, why.',
  properties: {
    state: { type: 'string', enum: ['Running', 'Error'] },
    reason: { type: 'string' },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'status'],
        properties: {
          type: { type: 'string' },
          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
          reason: { type: 'string' },
          message: { type: 'string' },
          observedGeneration: { type: 'integer', format: 'int64' },
          lastTransitionTime: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};

export function buildCrd(k: CrdKind): JsonSchema {
  // Unknown spec fields are kept rather than pruned, so a misspelled field reaches
  // the compiler and comes back as a diagnostic on the resource instead of vanishing.
  const spec = k.specSchema
    ? { ...toStructural(k.specSchema), 'x-kubernetes-preserve-unknown-fields': true }
    : {
        type: 'object',
        description: `${k.kind} spec (validated by the plugin that owns ${k.kind}).`,
        'x-kubernetes-preserve-unknown-fields': true,
      };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${k.plural}.${crdGroup}`,
      labels: { 'app.kubernetes.io/name': 'attache', 'app.kubernetes.io/part-of': 'attache' },
    },
    spec: {
      group: crdGroup,
      scope: 'Namespaced',
      names: {
        plural: k.plural,
        singular: k.kind.toLowerCase(),
        kind: k.kind,
        listKind: `${k.kind}List`,
        categories: ['ambassador-crds'],
        ...(k.shortNames ? { shortNames: k.shortNames } : {}),
      },
      versions: [
        {
          name: crdVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            ...(k.columns ?? []).map((c) => ({ ...c, type: 'string' })),
            { name: 'State', type: 'string', jsonPath: '.status.state' },
            { name: 'Reason', type: 'string', jsonPath: '.status.reason', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `getambassador.io/${crdVersion} ${k.kind}, compiled by Attaché.`,
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: statusSchema,
              },
            },
          },
        },
      ],
    },
  };
}
