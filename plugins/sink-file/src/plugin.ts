import { definePlugin, type SinkContext } from '@attache/core';
import * as envoy from '@attache/envoy';
import {
  type BootstrapBuilders,
  createFileSink,
  type FileSinkConfig,
  FileSinkConfigSchema,
} from './file-sink.js';

// TODO(integration): switch to named imports once @attache/envoy exports the bootstrap builders.
const envoyBuilders = envoy as unknown as Partial<BootstrapBuilders>;
const builders: BootstrapBuilders = {
  buildStaticBootstrap: (...args) => required('buildStaticBootstrap')(...args),
  buildAdsBootstrap: (...args) => required('buildAdsBootstrap')(...args),
};

function required<K extends keyof BootstrapBuilders>(name: K): BootstrapBuilders[K] {
  const fn = envoyBuilders[name];
  if (typeof fn !== 'function') throw new Error(`@attache/envoy does not export ${name}()`);
  return fn.bind(envoy) as BootstrapBuilders[K];
}

/** Registers sink type 'file': `sinks: { file: { path: envoy-bootstrap.json, mode: ads } }`. */
export const fileSinkPlugin = definePlugin({
  id: 'sink-file',
  description: 'Writes an Envoy bootstrap file (static, or pointing at the ADS server), atomically',
  register(reg) {
    reg.sink({
      type: 'file',
      configSchema: FileSinkConfigSchema,
      // The runtime validated (and defaulted) the block against configSchema before create().
      create: (ctx) => createFileSink(ctx as SinkContext<FileSinkConfig>, builders),
    });
  },
});
