import { readVarint } from '@attache/envoy';
import { sharedNameList } from './shared-name-list.js';
import type { DiscoveryRequestJson } from './xds-codec.js';

/**
 * The common SotW request read without the protobuf decoder: an ACK that
 * repeats the stream's subscription. Envoy sends the whole name list with
 * every request (1,000 cluster names for EDS), and a thousand streams send
 * the same list: the list is decoded once and shared (`sharedNameList`), so
 * an ACK costs a scan of its bytes.
 *
 * Only requests made of version_info (1), resource_names (3), type_url (4)
 * and response_nonce (5) are read here; anything else (node, error_detail,
 * locators, unknown fields) returns undefined and goes to the full decoder.
 */
const decoder = new TextDecoder('utf-8', { fatal: true });

export function readSotwRequest(bytes: Uint8Array): DiscoveryRequestJson | undefined {
  const at = { pos: 0 };
  let versionInfo = '';
  let typeUrl = '';
  let responseNonce = '';
  let namesStart = -1;
  let namesEnd = -1;
  try {
    while (at.pos < bytes.length) {
      const fieldStart = at.pos;
      const tag = readVarint(bytes, at);
      if (tag === undefined || (tag & 7) !== 2) return undefined;
      const length = readVarint(bytes, at);
      if (length === undefined || at.pos + length > bytes.length) return undefined;
      const start = at.pos;
      at.pos += length;
      const field = tag >>> 3;
      if (field === 3) {
        // The names are one run of consecutive fields in every encoder we know; otherwise: full decoder.
        if (namesStart === -1) namesStart = fieldStart;
        else if (namesEnd !== fieldStart) return undefined;
        namesEnd = at.pos;
        continue;
      }
      const text = decoder.decode(bytes.subarray(start, at.pos));
      if (field === 1) versionInfo = text;
      else if (field === 4) typeUrl = text;
      else if (field === 5) responseNonce = text;
      else return undefined;
    }
  } catch {
    return undefined;
  }
  const request: DiscoveryRequestJson = {};
  if (versionInfo) request.versionInfo = versionInfo;
  if (typeUrl) request.typeUrl = typeUrl;
  if (responseNonce) request.responseNonce = responseNonce;
  if (namesStart !== -1) {
    const names = sharedNameList(bytes.subarray(namesStart, namesEnd));
    if (!names) return undefined;
    request.resourceNames = names;
  }
  return request;
}
