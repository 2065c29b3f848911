import { definePlugin, type SourceFactory } from '@attache/core';
import { type KubernetesSourceConfig, kubernetesSourceConfigSchema } from './config.js';
import { kubernetesDiagnosticCodes } from './diagnostic-codes.js';
import { KubernetesSource } from './kubernetes-source.js';

export const kubernetesSourceFactory: SourceFactory<KubernetesSourceConfig> = {
  type: 'kubernetes',
  configSchema: kubernetesSourceConfigSchema,
  create: (ctx) => new KubernetesSource(ctx),
};

export const kubernetesSourcePlugin = definePlugin({
  id: 'source-kubernetes',
  description:
    'Watches getambassador.io resources, Services (and their annotations), Ingresses, Secrets, Endpoints and Namespaces; writes status back',
  register(reg) {
    reg.diagnostics(kubernetesDiagnosticCodes);
    reg.source(kubernetesSourceFactory as SourceFactory);
  },
});
