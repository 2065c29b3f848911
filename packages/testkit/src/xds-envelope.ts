/**
 * The envelope of a (Delta)DiscoveryResponse read straight from its bytes:
 * type, version, nonce, and each resource's name and version, without
 * decoding the resources themselves. Benchmarks with a thousand clients use
 * it, so that what they measure is the server, not the client's decoder.
 */

interface Reader {
  bytes: Uint8Array;
  pos: number;
}

function varint(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = r.bytes[r.pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return result;
    shift += 7;
  }
}

const decoder = new TextDecoder();

/** Calls `field(number, start, end)` for every length-delimited field; skips the others. */
function eachField(bytes: Uint8Array, field: (n: number, start: number, end: number) => void): void {
  const r: Reader = { bytes, pos: 0 };
  while (r.pos < bytes.length) {
    const tag = varint(r);
    const n = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) varint(r);
    else if (wire === 1) r.pos += 8;
    else if (wire === 5) r.pos += 4;
    else if (wire === 2) {
      const length = varint(r);
      field(n, r.pos, r.pos + length);
      r.pos += length;
    } else throw new Error(`xds-envelope: unsupported wire type ${wire}`);
  }
}

export interface ResponseEnvelope {
  typeUrl: string;
  versionInfo: string;
  nonce: string;
  /** Delta: name and version of each resource. SotW: their count only (names need decoding). */
  resources: Array<{ name: string; version: string }>;
  resourceCount: number;
  removed: string[];
}

/** DiscoveryResponse: version_info 1, resources 2, type_url 4, nonce 5. DeltaDiscoveryResponse: system_version_info 1, resources 2, type_url 4, nonce 5, removed_resources 6. */
export function readResponseEnvelope(bytes: Uint8Array, delta: boolean): ResponseEnvelope {
  const out: ResponseEnvelope = {
    typeUrl: '',
    versionInfo: '',
    nonce: '',
    resources: [],
    resourceCount: 0,
    removed: [],
  };
  const text = (start: number, end: number) => decoder.decode(bytes.subarray(start, end));
  eachField(bytes, (n, start, end) => {
    if (n === 1) out.versionInfo = text(start, end);
    else if (n === 4) out.typeUrl = text(start, end);
    else if (n === 5) out.nonce = text(start, end);
    else if (n === 6 && delta) out.removed.push(text(start, end));
    else if (n === 2) {
      out.resourceCount++;
      if (!delta) return;
      // envoy.service.discovery.v3.Resource: version 1, name 3.
      const resource = { name: '', version: '' };
      eachField(bytes.subarray(start, end), (m, s, e) => {
        if (m === 1) resource.version = decoder.decode(bytes.subarray(start + s, start + e));
        else if (m === 3) resource.name = decoder.decode(bytes.subarray(start + s, start + e));
      });
      out.resources.push(resource);
    }
  });
  return out;
}
