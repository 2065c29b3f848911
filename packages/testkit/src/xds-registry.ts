import { readFileSync } from 'node:fs';
import * as envoy from '@attache/envoy';
import { createFileRegistry, fromBinary, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

let registry: Registry | undefined;

/** The Envoy descriptor registry of @attache/envoy (which the xDS test client encodes with). */
export function xdsRegistry(): Registry {
  if (registry) return registry;
  const exported = (envoy as unknown as { envoyRegistry?: Registry }).envoyRegistry;
  // TEMPORARY fallback until @attache/envoy exports envoyRegistry: read its descriptor set.
  registry =
    exported ??
    createFileRegistry(
      fromBinary(
        FileDescriptorSetSchema,
        readFileSync(new URL('../node_modules/@attache/envoy/gen/envoy.binpb', import.meta.url)),
      ),
    );
  return registry;
}
