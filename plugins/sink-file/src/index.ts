export { writeFileAtomically } from './atomic-write.js';
export {
  type BootstrapBuilders,
  createFileSink,
  type FileSinkConfig,
  FileSinkConfigSchema,
} from './file-sink.js';
export { fileSinkPlugin, fileSinkPlugin as default } from './plugin.js';
