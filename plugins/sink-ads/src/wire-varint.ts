/**
 * Reads a protobuf varint at `at.pos` and moves `at.pos` past it; undefined when the bytes end
 * first or it runs past 35 bits (nothing these readers take is larger). The fast request readers
 * and the alias framing read the wire format by hand; this is their one varint reader.
 */
export function readVarint(bytes: Uint8Array, at: { pos: number }): number | undefined {
  let result = 0;
  let shift = 0;
  while (at.pos < bytes.length && shift < 35) {
    const byte = bytes[at.pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return result;
    shift += 7;
  }
  return undefined;
}
