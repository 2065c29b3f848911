import { readVarint } from '@attache/envoy';
import { sharedNameList } from './shared-name-list.js';
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

export function readDeltaRequest(bytes: Uint8Array): DeltaDiscoveryRequestJson | undefined {
  const at = { pos: 0 };
  const request: DeltaDiscoveryRequestJson = {};
  // Subscribed names: one run of consecutive fields, decoded once for every stream that sends it (sharedNameList).
  let subscribeStart = -1;
  let subscribeEnd = -1;
  const unsubscribe: string[] = [];
  try {
    while (at.pos < bytes.length) {
      const fieldStart = at.pos;
      const tag = readVarint(bytes, at);
      if (tag === undefined || (tag & 7) !== 2) return undefined;
      const length = readVarint(bytes, at);
      if (length === undefined || at.pos + length > bytes.length) return undefined;
      if (tag >>> 3 === 3) {
        if (subscribeStart === -1) subscribeStart = fieldStart;
        else if (subscribeEnd !== fieldStart) return undefined;
        at.pos += length;
        subscribeEnd = at.pos;
        continue;
      }
      const text = decoder.decode(bytes.subarray(at.pos, at.pos + length));
      at.pos += length;
      switch (tag >>> 3) {
        case 2:
          request.typeUrl = text;
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
  if (subscribeStart !== -1) {
    const subscribe = sharedNameList(bytes.subarray(subscribeStart, subscribeEnd));
    if (!subscribe) return undefined;
    request.resourceNamesSubscribe = subscribe;
  }
  if (unsubscribe.length > 0) request.resourceNamesUnsubscribe = unsubscribe;
  return request;
}
