import { type Static, Type } from '@sinclair/typebox';

export const leaderElectionConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ description: 'Only the replica holding the Lease writes status.' }),
    leaseName: Type.Optional(Type.String({ minLength: 1, default: 'attache-status' })),
    leaseNamespace: Type.Optional(
      Type.String({ minLength: 1, description: "Default: the pod's namespace, else 'default'." }),
    ),
    identity: Type.Optional(
      Type.String({ minLength: 1, description: 'Default: $POD_NAME, else the host name.' }),
    ),
    leaseDurationSeconds: Type.Optional(Type.Integer({ minimum: 1, default: 15 })),
    retryPeriodSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 2 })),
  },
  { additionalProperties: false },
);

export const kubernetesSourceConfigSchema = Type.Object(
  {
    kubeconfig: Type.Optional(
      Type.String({ description: 'Path to a kubeconfig; in-cluster config when absent.' }),
    ),
    context: Type.Optional(
      Type.String({ description: 'kubeconfig context to use (default: its current-context).' }),
    ),
    namespace: Type.Optional(
      Type.String({ description: 'Watch only this namespace (default: all namespaces).' }),
    ),
    labelSelector: Type.Optional(
      Type.String({ description: 'Label selector for getambassador.io resources, Services and Ingresses.' }),
    ),
    fieldSelector: Type.Optional(
      Type.String({ description: 'Field selector for getambassador.io resources, Services and Ingresses.' }),
    ),
    ambassadorIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description:
          'Store only objects whose ambassador_id names one of these (pass the runtime ambassadorIds). Absent: store all and let the compiler choose per id.',
      }),
    ),
    ingressClass: Type.Optional(
      Type.String({
        description: "Value of the kubernetes.io/ingress.class annotation to accept (default 'ambassador').",
      }),
    ),
    statusService: Type.Optional(
      Type.String({
        pattern: '^[^/]+/[^/]+$',
        description: "'namespace/name' of the Service whose load balancer status is copied onto Ingresses.",
      }),
    ),
    leaderElection: Type.Optional(leaderElectionConfigSchema),
    statusRateLimitPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 10 })),
    /** Backoff between watch restarts; small values make tests fast. */
    retry: Type.Optional(
      Type.Object(
        {
          initialDelayMs: Type.Optional(Type.Integer({ minimum: 1, default: 500 })),
          maxDelayMs: Type.Optional(Type.Integer({ minimum: 1, default: 30000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type KubernetesSourceConfig = Static<typeof kubernetesSourceConfigSchema>;
export type LeaderElectionConfig = Static<typeof leaderElectionConfigSchema>;
