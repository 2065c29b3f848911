/**
 * The few pieces of the protobuf wire format that are written or read by hand:
 * route tables encoded by parts (encode-by-parts.ts), and the ADS sink's fast
 * request readers and on-demand VHDS answers. A message's encoding is the
 * concatenation of its fields' encodings, so these are all they need.
 */

/** Bytes `value` takes as a varint. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes `value` as a varint at `offset` of `out`; the offset after it. */
export function writeVarint(out: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    out[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}

/**
 * Reads a varint at `at.pos` and moves `at.pos` past it; undefined when the
 * bytes end first or it is longer than `maxBytes` (5 by default: 35 bits, more
 * than any length or tag a request holds; 10 for any varint field).
 */
export function readVarint(bytes: Uint8Array, at: { pos: number }, maxBytes = 5): number | undefined {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes && at.pos < bytes.length; i++) {
    const byte = bytes[at.pos++]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 128;
  }
  return undefined;
}

/** The bytes of `parts`, one after the other. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** One length-delimited field entry (tag, length, then `parts` as its body). */
export function lengthDelimited(fieldNumber: number, parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const tag = fieldNumber * 8 + 2;
  const out = new Uint8Array(varintLength(tag) + varintLength(length) + length);
  let offset = writeVarint(out, writeVarint(out, 0, tag), length);
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
