import { describe, expect, it } from 'vitest';
import { decodeMessage } from './encode.js';
import { concatBytes, lengthDelimited, readVarint, varintLength, writeVarint } from './wire-format.js';

describe('wire format by hand', () => {
  it('writes and reads varints of every length back, and says how long they are', () => {
    for (const value of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28 - 1, 2 ** 31, 2 ** 34]) {
      const out = new Uint8Array(10);
      const end = writeVarint(out, 0, value);
      expect(end).toBe(varintLength(value));
      const at = { pos: 0 };
      expect(readVarint(out, at)).toBe(value);
      expect(at.pos).toBe(end);
    }
  });

  it('refuses a varint cut short, or longer than allowed', () => {
    expect(readVarint(Uint8Array.from([0x80, 0x80]), { pos: 0 })).toBeUndefined();
    const long = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(readVarint(long, { pos: 0 })).toBeUndefined();
    expect(readVarint(long, { pos: 0 }, 10)).toBe(2 ** 43 - 1);
  });

  it('frames length-delimited fields that protobuf decodes', () => {
    const text = new TextEncoder();
    const name = lengthDelimited(1, [text.encode('route-table')]);
    const domains = [lengthDelimited(2, [text.encode('a.example')]), lengthDelimited(2, [text.encode('b')])];
    const host = lengthDelimited(2, [lengthDelimited(1, [text.encode('h')]), ...domains]);
    const bytes = concatBytes([name, host]);
    expect(decodeMessage('envoy.config.route.v3.RouteConfiguration', bytes)).toEqual({
      name: 'route-table',
      virtualHosts: [{ name: 'h', domains: ['a.example', 'b'] }],
    });
  });
});
