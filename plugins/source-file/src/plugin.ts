import { definePlugin, type SourceContext } from '@attache/core';
import { createFileSource, type FileSourceConfig, FileSourceConfigSchema } from './file-source.js';

/** Registers source type 'file': `sources: { file: { paths: [...], watch: true } }`. */
export const fileSourcePlugin = definePlugin({
  id: 'source-file',
  description: 'Reads Kubernetes-style resources from YAML/JSON files and directories, and watches them',
  register(reg) {
    reg.source({
      type: 'file',
      configSchema: FileSourceConfigSchema,
      // The runtime validated (and defaulted) the block against configSchema before create().
      create: (ctx) => createFileSource(ctx as SourceContext<FileSourceConfig>),
    });
  },
});
