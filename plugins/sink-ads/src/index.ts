export { adsMetricsRegistry, type XdsMetrics, xdsMetrics } from './metrics.js';
export { ambassadorIdOf, defaultGroup, type GroupRule, groupResolver } from './node-groups.js';
export {
  type AdsSink,
  createAdsSink,
  type SinkAdsConfig,
  sinkAdsConfigSchema,
  sinkAdsPlugin,
  sinkAdsPlugin as default,
} from './plugin.js';
export { type XdsServiceSpec, xdsServices } from './services.js';
export type { StreamInfo, TypeInfo } from './stream-info.js';
export {
  createXdsCodec,
  type DeltaDiscoveryRequestJson,
  type DiscoveryRequestJson,
  type EncodedResource,
  type EnvoySchema,
  type NodeJson,
  type XdsCodec,
} from './xds-codec.js';
export { createXdsServer, type Pem, type XdsServer, type XdsServerOptions } from './xds-server.js';
export type { DeliveryFeedback, NackRecord } from './xds-stream.js';
