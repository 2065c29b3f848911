export { type Admission, admitResource, type Rejection } from './admit.js';
export {
  type AdsBootstrapOptions,
  type BootstrapAdmin,
  type BootstrapNode,
  BootstrapValidationError,
  buildAdsBootstrap,
  buildStaticBootstrap,
  type StaticBootstrapOptions,
  xdsClusterName,
} from './bootstrap.js';
export { decodeMessage, encodeMessage, encodeResource, toAny } from './encode.js';
export { type PartsEncoderOptions, RouteTableEncoder } from './encode-by-parts.js';
export { envoyPlugin, lowerAndValidate, loweringReads } from './envoy-plugin.js';
export {
  type HttpFilterSlot,
  httpFilterSlots,
  isHttpFilterSlot,
  orderHttpFilters,
} from './http-filter-slots.js';
export { type Json, type LoweredResource, lowerIR, type ResourcePart } from './lower/index.js';
export { envoyRegistry, messageDesc, typeNameOfUrl, typeUrlOf } from './registry.js';
export {
  adminClusterName,
  type BootstrapStats,
  statsListenerName,
  statsListenerResources,
  statsPaths,
} from './stats-listener.js';
export { type CheckedResource, checkResource, type ValidationIssue, validateResource } from './validate.js';
export {
  matchVirtualHost,
  noRouteFallback,
  onDemandFilterName,
  type VhdsOptions,
  type VhdsRouteConfiguration,
  vhdsNamespaceOf,
  vhdsResourceName,
  vhdsRouteConfiguration,
  virtualHostProvenance,
  virtualHostProvenanceOf,
  virtualHostTypeUrl,
  withOnDemandFilter,
} from './vhds.js';
export { concatBytes, lengthDelimited, readVarint, varintLength, writeVarint } from './wire-format.js';
