import { lengthDelimited, readVarint } from '@attache/envoy';
import type { EncodedResource } from './xds-codec.js';

/**
 * On-demand VHDS answers: Envoy asks for `<route configuration>/<authority>`
 * and resumes the request once a response carries that name among a
 * resource's `aliases` (envoy.service.discovery.v3.Resource field 4). The
 * resource's delta fragment is extended in place of re-encoding it: a protobuf
 * message is the concatenation of its fields, so appending `aliases` to the
 * Resource bytes and re-framing field 2 (`resources`) of the response is enough.
 */

const encoder = new TextEncoder();

function stringField(fieldNumber: number, text: string): Uint8Array {
  return lengthDelimited(fieldNumber, [encoder.encode(text)]);
}

/** `DeltaDiscoveryResponse.resources` (field 2) holding `resourceBytes`. */
function frameResource(parts: readonly Uint8Array[]): Uint8Array {
  return lengthDelimited(2, parts);
}

/** The resource as delta sends it, answering the on-demand requests `aliases`. */
export function withAlias(resource: EncodedResource, aliases: readonly string[]): EncodedResource {
  const fragment = resource.deltaFragment;
  const at = { pos: 1 }; // fragment[0] is the field 2 tag
  readVarint(fragment, at);
  return {
    ...resource,
    deltaFragment: frameResource([
      fragment.subarray(at.pos),
      ...aliases.map((alias) => stringField(4, alias)),
    ]),
  };
}

/** Version of the answer that says an alias names no virtual host. */
export const unresolvedVersion = 'unresolved';

/**
 * The answer to an on-demand request no virtual host matches: a resource named
 * by the alias, with the alias and no content (what Envoy's own VHDS tests
 * send), so Envoy stops waiting and answers the request with a 404.
 */
export function unresolvedAlias(alias: string): EncodedResource {
  return {
    name: alias,
    version: unresolvedVersion,
    sotwFragment: new Uint8Array(0),
    deltaFragment: frameResource([
      stringField(3, alias),
      stringField(1, unresolvedVersion),
      stringField(4, alias),
    ]),
  };
}
