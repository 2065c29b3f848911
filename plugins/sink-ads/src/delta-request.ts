import type { DeltaDiscoveryRequestJson } from './xds-codec.js';

/**
 * The common delta request read without the protobuf decoder: an ACK (type_url,
 * response_nonce) and subscription changes (resource_names_subscribe and
 * _unsubscribe), which is all Envoy sends after its first request on a stream.
 * A thousand streams ACKing a change cost a scan of a few bytes each.
 *
 * Only type_url (2), resource_names_subscribe (3), resource_names_unsubscribe (4)
 * and response_nonce (6) are read here; anything else (node, initial versions,
 * error_detail, locators, unknown fields) returns undefined and goes to the full
 * decoder.
 */
const decoder = new TextDecoder('utf-8', { fatal: true });

function varint(bytes: Uint8Array, at: { pos: number }): number | undefined {
  let result = 0;
  let shift = 0;
  while (at.pos < bytes.length && shift < 35) {
    const byte = bytes[at.pos++] as number;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return result;
    shift += 7;
  }
  return undefined;
}

export function readDeltaRequest(bytes: Uint8Array): DeltaDiscoveryRequestJson | undefined {
  const at = { pos: 0 };
  const request: DeltaDiscoveryRequestJson = {};
  const subscribe: string[] = [];
  const unsubscribe: string[] = [];
  try {
    while (at.pos < bytes.length) {
      const tag = varint(bytes, at);
      if (tag === undefined || (tag & 7) !== 2) return undefined;
      const length = varint(bytes, at);
      if (length === undefined || at.pos + length > bytes.length) return undefined;
      const text = decoder.decode(bytes.subarray(at.pos, at.pos + length));
      at.pos += length;
      switch (tag >>> 3) {
        case 2:
          request.typeUrl = text;
          break;
        case 3:
          subscribe.push(text);
          break;
        case 4:
          unsubscribe.push(text);
          break;
        case 6:
          request.responseNonce = text;
          break;
        default:
          return undefined;
      }
    }
  } catch {
    return undefined;
  }
  if (subscribe.length > 0) request.resourceNamesSubscribe = subscribe;
  if (unsubscribe.length > 0) request.resourceNamesUnsubscribe = unsubscribe;
  return request;
}
