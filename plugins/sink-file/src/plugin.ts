import { definePlugin, type SinkContext } from '@attache/core';
import { buildAdsBootstrap, buildStaticBootstrap } from '@attache/envoy';
import {
  type BootstrapBuilders,
  createFileSink,
  type FileSinkConfig,
  FileSinkConfigSchema,
} from './file-sink.js';

const builders: BootstrapBuilders = { buildStaticBootstrap, buildAdsBootstrap };

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
