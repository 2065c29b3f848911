import { readFileSync } from 'node:fs';
import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { decodeFileDescriptorProto, fastDecodeFileDescriptorProto } from './descriptor-decode.js';
import { indexFileDescriptorSet } from './lazy-registry.js';
import { protobuf, protobufWire, protobufWkt } from './protobuf-runtime.js';

// The runtime this package decodes with (protobuf-runtime.ts): a message's prototype is its copy's.
const { fromBinary } = protobuf();
const { BinaryReader } = protobufWire();
const { FileDescriptorProtoSchema } = protobufWkt();

const bytes = readFileSync(new URL('../gen/envoy.binpb', import.meta.url));
const files = [...indexFileDescriptorSet(bytes).files].map(([name, at]) => ({
  name,
  bytes: bytes.subarray(at.start, at.end),
}));

/**
 * The first place two decoded values differ, or undefined: own keys in order, prototypes (a
 * proto2 message's defaults sit on its prototype), byte contents and classes.
 */
function difference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object')
    return `${path}: ${String(a)} against ${String(b)}`;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: another prototype`;
  if (x instanceof Uint8Array) {
    const other = y as unknown as Uint8Array;
    return x.length === other.length && x.every((v, i) => v === other[i]) ? undefined : `${path}: bytes`;
  }
  const keys = Object.keys(x);
  if (keys.join() !== Object.keys(y).join()) return `${path}: keys ${keys} against ${Object.keys(y)}`;
  for (const key of keys) {
    const found = difference(x[key], y[key], `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/** The byte ranges of a message's top-level fields (tag included). */
function fieldRecords(message: Uint8Array): Array<[number, number]> {
  const reader = new BinaryReader(message);
  const records: Array<[number, number]> = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [no, wireType] = reader.tag();
    reader.skip(wireType, no);
    records.push([start, reader.pos]);
  }
  return records;
}

/** What decoding gives: the message, or the error's message. */
function outcome(decode: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: decode() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('decodeFileDescriptorProto', () => {
  it('gives what fromBinary gives for every file of the Envoy set, by its own reading', () => {
    expect(files.length).toBeGreaterThan(100);
    let unknownFields = 0;
    for (const file of files) {
      const fast = fastDecodeFileDescriptorProto(file.bytes);
      expect(fast, `${file.name} left to fromBinary`).toBeDefined();
      expect(difference(fast, fromBinary(FileDescriptorProtoSchema, file.bytes)), file.name).toBeUndefined();
      unknownFields += JSON.stringify(fast, (k, v) => (k === '$unknown' ? 'U' : v)).split('"U"').length - 1;
    }
    // Extension options (validate.rules, udpa annotations) are unknown fields: compared too.
    expect(unknownFields).toBeGreaterThan(100);
  });

  it('gives what fromBinary gives, or fails as it does, for damaged copies (random bytes changed, inserted, cut; fixed seed)', () => {
    const random = seededRandom(39);
    const pick = (n: number) => Math.floor(random() * n);
    let fastDecoded = 0;
    let failed = 0;
    for (let round = 0; round < 2000; round++) {
      const file = files[pick(files.length)]!;
      const damaged = Uint8Array.from(file.bytes);
      let copy: Uint8Array = damaged;
      // A top-level field again (a message field set twice is merged, a list grows), then damage.
      if (pick(3) === 0) {
        const records = fieldRecords(damaged);
        const [start, end] = records[pick(records.length)]!;
        copy = Uint8Array.from([...damaged, ...damaged.subarray(start, end)]);
      }
      for (let edits = pick(4); edits > 0; edits--) {
        const at = pick(copy.length);
        const kind = pick(5);
        if (kind === 0) copy[at] = pick(256);
        else if (kind === 1) copy[at] = copy[at]! ^ (1 << pick(8));
        else if (kind === 2) copy = copy.subarray(0, at);
        else if (kind === 3)
          copy = Uint8Array.from([...copy.subarray(0, at), pick(256), ...copy.subarray(at)]);
        else {
          // A tag of 5 or 6 bytes (fromBinary refuses those past uint32), then a varint.
          const shape = pick(3);
          const tag = [0x80 | pick(256), 0x80 | pick(256), 0x80 | pick(256), 0x80 | pick(256)];
          if (shape === 0) tag.push(0x80 | pick(256), pick(2));
          else tag.push(shape === 1 ? pick(0x10) : pick(0x20));
          copy = Uint8Array.from([...copy.subarray(0, at), ...tag, 0, ...copy.subarray(at)]);
        }
      }
      const want = outcome(() => fromBinary(FileDescriptorProtoSchema, copy));
      const got = outcome(() => decodeFileDescriptorProto(copy));
      if (want.error !== undefined) {
        expect(got.error, `round ${round}`).toBe(want.error);
        failed++;
        continue;
      }
      expect(got.error, `round ${round}`).toBeUndefined();
      expect(difference(got.value, want.value), `round ${round}`).toBeUndefined();
      if (fastDecodeFileDescriptorProto(copy) !== undefined) fastDecoded++;
    }
    // Both kinds are really exercised: damaged files decoded by the table, and errors.
    expect(fastDecoded).toBeGreaterThan(200);
    expect(failed).toBeGreaterThan(200);
  });
});
