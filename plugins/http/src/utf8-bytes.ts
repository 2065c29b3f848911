/**
 * Buffer.byteLength(text) (UTF-8) when it can exceed `limit`; otherwise text.length, which is
 * then at most the byte count and at most `limit`. A UTF-16 code unit is at most 3 bytes of
 * UTF-8 (a surrogate pair, two units, is 4), so a text of at most limit / 3 units is within the
 * limit without counting: the checks that run for every Mapping skip a call into the runtime.
 */
export function utf8Bytes(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text, 'utf8');
}
