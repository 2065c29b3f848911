import { readVarint } from './wire-varint.js';
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

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function stringField(tag: number, text: string): Uint8Array {
  const body = encoder.encode(text);
  return Uint8Array.from([tag, ...varint(body.length), ...body]);
}

/** `DeltaDiscoveryResponse.resources` (field 2) holding `resourceBytes`. */
function frameResource(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const head = Uint8Array.from([0x12, ...varint(length)]);
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let offset = head.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
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
      ...aliases.map((alias) => stringField(0x22, alias)),
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
      stringField(0x1a, alias),
      stringField(0x0a, unresolvedVersion),
      stringField(0x22, alias),
    ]),
  };
}
