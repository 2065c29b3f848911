import { readFileSync } from 'node:fs';
import * as envoy from '@attache/envoy';
import { createFileRegistry, fromBinary, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { createXdsCodec, type XdsCodec } from './xds-codec.js';

// TEMPORARY until @attache/envoy exports envoyRegistry: read its descriptor set directly.
function envoyRegistry(): Registry {
  const exported = (envoy as unknown as { envoyRegistry?: Registry }).envoyRegistry;
  if (exported) return exported;
  const url = new URL('../node_modules/@attache/envoy/gen/envoy.binpb', import.meta.url);
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(url)));
}

let codec: XdsCodec | undefined;

/** The codec over @attache/envoy's descriptor registry, built on first use. */
export function defaultXdsCodec(): XdsCodec {
  codec ??= createXdsCodec(envoyRegistry());
  return codec;
}
