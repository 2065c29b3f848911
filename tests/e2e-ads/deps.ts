// tests/ is not a workspace package, so it has no node_modules of its own:
// workspace packages are imported from their sources (as vitest does anyway),
// and third-party modules are resolved from plugins/sink-ads, which declares
// them — the same files its own code loads, so one @grpc/grpc-js instance.
import { createRequire } from 'node:module';

export * from '../../packages/core/src/index.js';
export { envoyPlugin, validateResource } from '../../packages/envoy/src/index.js';
export { Runtime, silentLogger } from '../../packages/runtime/src/index.js';
export { grpcClientResources, XdsTestClient, xdsSnapshot } from '../../packages/testkit/src/index.js';
export { httpPlugin } from '../../plugins/http/src/index.js';
export * from '../../plugins/sink-ads/src/index.js';

const requireFromSinkAds = createRequire(new URL('../../plugins/sink-ads/package.json', import.meta.url));
export const grpc = requireFromSinkAds('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
export const grpcXds = requireFromSinkAds('@grpc/grpc-js-xds') as { register(): void };
