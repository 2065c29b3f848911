export { consulDiagnosticCodes } from './codes.js';
export { type ConsulSourceConfig, consulSourceConfigSchema } from './config.js';
export {
  type AgentConnection,
  type ConsulInstance,
  type HealthAnswer,
  queryHealth,
} from './consul-client.js';
export { ConsulSource, consulEndpointsApiVersion, consulEndpointsKind } from './consul-source.js';
export { consulSourceFactory, consulSourcePlugin } from './plugin.js';
export { consulServiceName, type ServiceWatch, watchSet } from './watch-set.js';
