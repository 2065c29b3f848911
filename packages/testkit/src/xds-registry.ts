import type { Registry } from '@bufbuild/protobuf';
import { envoyRegistry } from '@attache/envoy';

/** The Envoy descriptor registry of @attache/envoy, which the xDS test client encodes and decodes with. */
export function xdsRegistry(): Registry {
  return envoyRegistry;
}
