/**
 * What the offline commands (`attache compile`, `validate`, `explain`) need from the runtime:
 * the config file and the plugin set it names, without the container, logger, store or
 * compile worker, so that loading it stays cheap.
 */
export {
  type AttacheConfig,
  ConfigError,
  type LoadedConfigFile,
  loadConfigFile,
  type PluginEntry,
  parseConfig,
} from './config.js';
export { type ResolvePluginsOptions, resolvePlugins } from './resolve-plugins.js';
