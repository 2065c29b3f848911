import type { JsonValue } from '@bufbuild/protobuf';
import { protobuf } from './protobuf-runtime.js';
import { envoyRegistry, messageDesc, typeNameOfUrl, typeUrlOf } from './registry.js';

/**
 * Binary encoding for the wire (ADS) from the proto3-JSON the compiler
 * produces. Decoding is strict: a resource that reaches here has already
 * been validated, so an error is a programmer error and throws.
 */

function splitTypedJson(json: Record<string, unknown>): { typeName: string; body: Record<string, unknown> } {
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string')
    throw new Error('@attache/envoy: encodeResource needs a resource with "@type"');
  const { '@type': _type, ...body } = json;
  return { typeName: typeNameOfUrl(typeUrl), body };
}

/** proto3-JSON (either field naming) of one message → its binary encoding. */
export function encodeMessage(typeName: string, json: Record<string, unknown>): Uint8Array {
  const desc = messageDesc(typeName);
  const { fromJson, toBinary } = protobuf();
  return toBinary(desc, fromJson(desc, json as JsonValue, { registry: envoyRegistry }));
}

/**
 * Binary → proto3-JSON in the canonical lowerCamelCase JSON names
 * (`versionInfo`, `typeUrl`, `responseNonce`, `errorDetail`…), e.g. for an
 * `envoy.service.discovery.v3.DiscoveryRequest` read off an ADS stream.
 * Fields at their default values are omitted, as proto3 JSON does.
 */
export function decodeMessage(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  const desc = messageDesc(typeName);
  const { fromBinary, toJson } = protobuf();
  return toJson(desc, fromBinary(desc, bytes), { registry: envoyRegistry }) as Record<string, unknown>;
}

/** A resource's proto3-JSON (with '@type') → the binary of its message. */
export function encodeResource(json: Record<string, unknown>): Uint8Array {
  const { typeName, body } = splitTypedJson(json);
  return encodeMessage(typeName, body);
}

/** A resource's proto3-JSON (with '@type') → a google.protobuf.Any: what a DiscoveryResponse carries. */
export function toAny(json: Record<string, unknown>): { typeUrl: string; value: Uint8Array } {
  const { typeName, body } = splitTypedJson(json);
  return { typeUrl: typeUrlOf(typeName), value: encodeMessage(typeName, body) };
}
