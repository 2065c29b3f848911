export { type Booted, type BootOptions, bootRuntime, resolvePlugins } from './boot.js';
export type {
  CompileWorkerInit,
  FromCompileWorker,
  ToCompileWorker,
  WireGroupResult,
  WireResource,
} from './compile-protocol.js';
export {
  type AttacheConfig,
  AttacheConfigSchema,
  ConfigError,
  type LoadedConfigFile,
  loadConfigFile,
  type PluginEntry,
  parseConfig,
  validateIoConfig,
} from './config.js';
export { type ContainerInputs, createRuntimeContainer, type IoConfig, Tokens } from './container.js';
export { createDebouncer, type DebounceOptions, type Debouncer, defaultDebounce } from './debounce.js';
export { FeedbackRouter } from './feedback-router.js';
export { LastGoodResources } from './last-good.js';
export {
  createLogger,
  type LogFormat,
  type LogLevel,
  logFormats,
  pinoLogger,
  resolveLogFormat,
  silentLogger,
} from './logger.js';
export { type LoadPluginOptions, loadPluginModule } from './plugin-loader.js';
export { type CycleResult, Runtime, type RuntimeOptions } from './runtime.js';
export { stopOnSignals } from './signals.js';
export { buildSnapshot, findResource, snapshotVersion } from './snapshot-builder.js';
export { buildStatusReport } from './status-report.js';
export { ResourceStore, type StoreContents } from './store.js';
export { compileWorkerAvailable, WorkerCompiler } from './worker-compiler.js';
