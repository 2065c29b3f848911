import { definePlugin, type SourceFactory } from '@attache/core';
import { consulDiagnosticCodes } from './codes.js';
import { type ConsulSourceConfig, consulSourceConfigSchema } from './config.js';
import { ConsulSource } from './consul-source.js';

export const consulSourceFactory: SourceFactory<ConsulSourceConfig> = {
  type: 'consul',
  configSchema: consulSourceConfigSchema,
  create: (ctx) => new ConsulSource(ctx),
};

export const consulSourcePlugin = definePlugin({
  id: 'source-consul',
  description:
    'Watches Consul (blocking health queries) for the services Mappings resolve through a ConsulResolver; writes their passing instances as endpoints',
  register(reg) {
    reg.diagnostics(consulDiagnosticCodes);
    reg.source(consulSourceFactory as SourceFactory);
  },
});
