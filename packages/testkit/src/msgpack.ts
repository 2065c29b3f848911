/**
 * A MessagePack reader (the spec's types: nil, booleans, integers, floats,
 * str, bin, array, map; no extension types), enough to read what a Datadog
 * tracer sends its agent. Integers beyond 2^53 come back as bigint.
 */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const text = new TextDecoder();
  const u8 = () => view.getUint8(pos++);
  const take = (n: number) => {
    if (pos + n > bytes.length)
      throw new Error(`msgpack: ${n} bytes wanted at ${pos}, ${bytes.length - pos} left`);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const num = (n: 1 | 2 | 4 | 8, signed: boolean): number | bigint => {
    const at = pos;
    pos += n;
    if (n === 1) return signed ? view.getInt8(at) : view.getUint8(at);
    if (n === 2) return signed ? view.getInt16(at) : view.getUint16(at);
    if (n === 4) return signed ? view.getInt32(at) : view.getUint32(at);
    const big = signed ? view.getBigInt64(at) : view.getBigUint64(at);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(big)
      : big;
  };
  const array = (n: number): unknown[] => Array.from({ length: n }, () => value());
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = value();
      out[String(key)] = value();
    }
    return out;
  };
  const value = (): unknown => {
    const b = u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return map(b & 0x0f);
    if ((b & 0xf0) === 0x90) return array(b & 0x0f);
    if ((b & 0xe0) === 0xa0) return text.decode(take(b & 0x1f));
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return take(u8()).slice();
      case 0xc5:
        return take(num(2, false) as number).slice();
      case 0xc6:
        return take(num(4, false) as number).slice();
      case 0xca: {
        const v = view.getFloat32(pos);
        pos += 4;
        return v;
      }
      case 0xcb: {
        const v = view.getFloat64(pos);
        pos += 8;
        return v;
      }
      case 0xcc:
        return num(1, false);
      case 0xcd:
        return num(2, false);
      case 0xce:
        return num(4, false);
      case 0xcf:
        return num(8, false);
      case 0xd0:
        return num(1, true);
      case 0xd1:
        return num(2, true);
      case 0xd2:
        return num(4, true);
      case 0xd3:
        return num(8, true);
      case 0xd9:
        return text.decode(take(u8()));
      case 0xda:
        return text.decode(take(num(2, false) as number));
      case 0xdb:
        return text.decode(take(num(4, false) as number));
      case 0xdc:
        return array(num(2, false) as number);
      case 0xdd:
        return array(num(4, false) as number);
      case 0xde:
        return map(num(2, false) as number);
      case 0xdf:
        return map(num(4, false) as number);
      default:
        throw new Error(`msgpack: unsupported type byte 0x${b.toString(16)} at ${pos - 1}`);
    }
  };
  const out = value();
  if (pos !== bytes.length) throw new Error(`msgpack: ${bytes.length - pos} trailing bytes`);
  return out;
}
