import { readFileSync } from 'node:fs';
import type { DescMessage, FileRegistry } from '@bufbuild/protobuf';
import { createLazyFileRegistry } from './lazy-registry.js';

// gen/ sits beside src/ and dist/ alike, so this resolves from the TypeScript
// sources (vitest) and from the compiled output (node).
const descriptorSetUrl = new URL('../gen/envoy.binpb', import.meta.url);

function readDescriptorSet(): Uint8Array {
  try {
    return readFileSync(descriptorSetUrl);
  } catch (e) {
    throw new Error(
      `@attache/envoy: cannot read the Envoy descriptor set ${descriptorSetUrl.pathname} (${(e as Error).message}); ` +
        'run `npx turbo run build --filter=@attache/envoy` to generate it',
    );
  }
}

function loadRegistry(): FileRegistry {
  // Read and indexed on first use, and each file decoded and built the first time one of its
  // types is asked for (lazy-registry.ts): validating valid resources asks it nothing.
  return createLazyFileRegistry(readDescriptorSet);
}

/** Every Envoy v3 message, enum and extension we know, loaded once from the build-time descriptor set. */
export const envoyRegistry: FileRegistry = loadRegistry();

/** The descriptor of a fully-qualified message name; unknown names are programmer errors. */
export function messageDesc(typeName: string): DescMessage {
  const desc = envoyRegistry.getMessage(typeName);
  if (!desc)
    throw new Error(`@attache/envoy: unknown message type '${typeName}' (not in the descriptor set)`);
  return desc;
}

/** 'type.googleapis.com/envoy.config.cluster.v3.Cluster' → 'envoy.config.cluster.v3.Cluster'. */
export function typeNameOfUrl(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}

/** Messages found by type URL, kept: resources and Any payloads name a few types thousands of times. */
const messagesByTypeUrl = new Map<string, DescMessage>();

/**
 * `envoyRegistry.getMessage(typeNameOfUrl(typeUrl))`, remembered for the URLs that name a
 * message (a bounded set: the registry's), so that the validator does not cut and look up
 * the same URL again for every resource and Any payload.
 */
export function messageOfTypeUrl(typeUrl: string): DescMessage | undefined {
  let desc = messagesByTypeUrl.get(typeUrl);
  if (desc === undefined) {
    desc = envoyRegistry.getMessage(typeNameOfUrl(typeUrl));
    if (desc !== undefined) messagesByTypeUrl.set(typeUrl, desc);
  }
  return desc;
}

export function typeUrlOf(typeName: string): string {
  return `type.googleapis.com/${typeName}`;
}
