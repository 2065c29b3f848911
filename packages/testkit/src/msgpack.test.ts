import { describe, expect, it } from 'vitest';
import { decodeMsgpack } from './msgpack.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('decodeMsgpack', () => {
  it('reads scalars of every width', () => {
    expect(decodeMsgpack(bytes(0x05))).toBe(5);
    expect(decodeMsgpack(bytes(0xff))).toBe(-1);
    expect(decodeMsgpack(bytes(0xc0))).toBeNull();
    expect(decodeMsgpack(bytes(0xc3))).toBe(true);
    expect(decodeMsgpack(bytes(0xcd, 0x01, 0x00))).toBe(256);
    expect(decodeMsgpack(bytes(0xd2, 0xff, 0xff, 0xff, 0xfe))).toBe(-2);
    expect(decodeMsgpack(bytes(0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0))).toBe(1.5);
    // A 64-bit id above 2^53 stays exact.
    expect(decodeMsgpack(bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(
      18446744073709551615n,
    );
    expect(decodeMsgpack(bytes(0xa3, 0x61, 0x62, 0x63))).toBe('abc');
    expect(decodeMsgpack(bytes(0xd9, 0x01, 0x7a))).toBe('z');
  });

  it('reads nested arrays and maps (a trace list)', () => {
    // [[{"name": "x", "meta": {"k": "v"}}]]
    const trace = bytes(
      0x91,
      0x91,
      0x82,
      0xa4,
      0x6e,
      0x61,
      0x6d,
      0x65,
      0xa1,
      0x78,
      0xa4,
      0x6d,
      0x65,
      0x74,
      0x61,
      0x81,
      0xa1,
      0x6b,
      0xa1,
      0x76,
    );
    expect(decodeMsgpack(trace)).toEqual([[{ name: 'x', meta: { k: 'v' } }]]);
  });

  it('refuses truncated input and trailing bytes', () => {
    expect(() => decodeMsgpack(bytes(0xa3, 0x61))).toThrow(/bytes wanted/);
    expect(() => decodeMsgpack(bytes(0x01, 0x02))).toThrow(/trailing/);
  });
});
