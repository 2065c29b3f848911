import type { DescField, DescMessage } from '@bufbuild/protobuf';
import type { BinaryReader } from '@bufbuild/protobuf/wire';
import type { FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { protobuf, protobufWire, protobufWkt, ScalarType } from './protobuf-runtime.js';

/**
 * `fromBinary(FileDescriptorProtoSchema, bytes)`, the same message (the same fields, the same
 * unknown fields, made by `create` as fromBinary makes them), read by a loop over a table of
 * descriptor.proto's fields instead of fromBinary's general reader: the lazy Envoy registry
 * decodes ~70 files on the CLI's first lookup, and this runs about twice as fast there (the
 * code runs once, cold, so fewer calls and allocations per field count).
 *
 * Anything the table does not read the way fromBinary does (a closed enum's unknown value, a
 * wire type other than the field's, a malformed tag or length) hands the whole file to
 * fromBinary, which decodes it (or throws) as it always did. A test compares the two on every
 * file of the set and on damaged copies of them.
 */
export function decodeFileDescriptorProto(bytes: Uint8Array): FileDescriptorProto {
  return (
    fastDecodeFileDescriptorProto(bytes) ??
    protobuf().fromBinary(protobufWkt().FileDescriptorProtoSchema, bytes)
  );
}

/** The table's decoding, or undefined where fromBinary must decide (exported for its test). */
export function fastDecodeFileDescriptorProto(bytes: Uint8Array): FileDescriptorProto | undefined {
  const { FileDescriptorProtoSchema } = protobufWkt();
  const message = protobuf().create(FileDescriptorProtoSchema);
  try {
    readMessage(
      tableOf(FileDescriptorProtoSchema),
      new (protobufWire().BinaryReader)(bytes),
      bytes,
      bytes.byteLength,
      message,
      1,
    );
    return message;
  } catch {
    // NotHandled, or a damaged file: fromBinary throws its own error for it.
    return undefined;
  }
}

/** A shape the table leaves to fromBinary. */
class NotHandled extends Error {}

// fromBinary's default recursion limit.
const recursionLimit = 100;

enum Read {
  Message,
  MessageList,
  ClosedEnum,
  OpenEnum,
  String,
  Bool,
  Int32,
  StringList,
  /** int32 and enum lists: fromBinary reads enum items as int32, unchecked, packed or not. */
  Int32List,
}

interface FieldRead {
  local: string;
  read: Read;
  /** The utf8Validation fromBinary passes to reader.string(). */
  strict: boolean;
  table?: Table;
  /** A closed enum's numbers. */
  values?: ReadonlySet<number>;
}

interface Table {
  desc: DescMessage;
  /** By field number; undefined: an unknown field (or one the table does not read). */
  byNumber: (FieldRead | undefined)[];
  /** Field numbers the table refuses: reading them is left to fromBinary. */
  refused: Set<number>;
}

const tables = new Map<DescMessage, Table>();

function tableOf(desc: DescMessage): Table {
  let table = tables.get(desc);
  if (table) return table;
  table = { desc, byNumber: [], refused: new Set() };
  tables.set(desc, table);
  for (const field of desc.fields) {
    const read = fieldRead(field);
    if (read === undefined) table.refused.add(field.number);
    else table.byNumber[field.number] = read;
  }
  return table;
}

function fieldRead(field: DescField): FieldRead | undefined {
  // Oneofs, maps and groups are not in descriptor.proto; left to fromBinary if they ever are.
  if (field.oneof || field.fieldKind === 'map') return undefined;
  const local = field.localName;
  const strict = field.utf8Validation;
  switch (field.fieldKind) {
    case 'message':
      if (field.delimitedEncoding) return undefined;
      return { local, read: Read.Message, strict, table: tableOf(field.message) };
    case 'enum':
      return field.enum.open
        ? { local, read: Read.OpenEnum, strict }
        : { local, read: Read.ClosedEnum, strict, values: new Set(field.enum.values.map((v) => v.number)) };
    case 'scalar':
      if (field.scalar === ScalarType.STRING) return { local, read: Read.String, strict };
      if (field.scalar === ScalarType.BOOL) return { local, read: Read.Bool, strict };
      if (field.scalar === ScalarType.INT32) return { local, read: Read.Int32, strict };
      return undefined;
    case 'list':
      if (field.listKind === 'message') {
        if (field.delimitedEncoding) return undefined;
        return { local, read: Read.MessageList, strict, table: tableOf(field.message) };
      }
      if (field.listKind === 'enum' || field.scalar === ScalarType.INT32)
        return { local, read: Read.Int32List, strict };
      if (field.scalar === ScalarType.STRING) return { local, read: Read.StringList, strict };
      return undefined;
  }
}

// Wire types.
const varint = 0;
const lengthDelimited = 2;

type Record_ = Record<string, unknown> & { $unknown?: { no: number; wireType: number; data: Uint8Array }[] };

function readMessage(
  table: Table,
  reader: BinaryReader,
  bytes: Uint8Array,
  end: number,
  target: object,
  depth: number,
): void {
  if (depth > recursionLimit || end > reader.len) throw new NotHandled();
  const message = target as Record_;
  let unknown = message.$unknown;
  const byNumber = table.byNumber;
  while (reader.pos < end) {
    // reader.tag() without its array: the same checks, a failed one left to fromBinary.
    const tagStart = reader.pos;
    const tag = reader.uint32();
    const tagBytes = reader.pos - tagStart;
    if (tagBytes > 5 || (tagBytes === 5 && bytes[reader.pos - 1]! > 0x0f)) throw new NotHandled();
    const no = tag >>> 3;
    const wireType = tag & 7;
    if (no <= 0 || wireType > 5) throw new NotHandled();
    const field = byNumber[no];
    if (field === undefined) {
      if (table.refused.has(no)) throw new NotHandled();
      // fromBinary keeps it as an unknown field: extension options (validate.rules…) are these.
      const data = reader.skip(wireType, no, recursionLimit - depth);
      unknown ??= [];
      unknown.push({ no, wireType, data });
      continue;
    }
    const local = field.local;
    switch (field.read) {
      case Read.Message: {
        if (wireType !== lengthDelimited) throw new NotHandled();
        const length = reader.uint32();
        // A message field set twice is merged into, as fromBinary does.
        const child = (message[local] as object | undefined) ?? protobuf().create(field.table!.desc);
        readMessage(field.table!, reader, bytes, reader.pos + length, child, depth + 1);
        message[local] = child;
        break;
      }
      case Read.MessageList: {
        if (wireType !== lengthDelimited) throw new NotHandled();
        const length = reader.uint32();
        const child = protobuf().create(field.table!.desc);
        readMessage(field.table!, reader, bytes, reader.pos + length, child, depth + 1);
        (message[local] as unknown[]).push(child);
        break;
      }
      case Read.ClosedEnum: {
        if (wireType !== varint) throw new NotHandled();
        const value = reader.int32();
        // fromBinary keeps an unknown value of a closed enum as an unknown field.
        if (!field.values!.has(value)) throw new NotHandled();
        message[local] = value;
        break;
      }
      case Read.OpenEnum:
      case Read.Int32:
        if (wireType !== varint) throw new NotHandled();
        message[local] = reader.int32();
        break;
      case Read.Bool:
        if (wireType !== varint) throw new NotHandled();
        message[local] = reader.bool();
        break;
      case Read.String:
        if (wireType !== lengthDelimited) throw new NotHandled();
        message[local] = reader.string(field.strict);
        break;
      case Read.StringList:
        if (wireType !== lengthDelimited) throw new NotHandled();
        (message[local] as unknown[]).push(reader.string(field.strict));
        break;
      case Read.Int32List: {
        const items = message[local] as unknown[];
        if (wireType === lengthDelimited) {
          const packedEnd = reader.uint32() + reader.pos;
          if (packedEnd > reader.len) throw new NotHandled();
          while (reader.pos < packedEnd) items.push(reader.int32());
          if (reader.pos !== packedEnd) throw new NotHandled();
        } else if (wireType === varint) items.push(reader.int32());
        else throw new NotHandled();
        break;
      }
    }
  }
  // A field that ran past the message's end: fromBinary's reading of it is its own.
  if (reader.pos !== end) throw new NotHandled();
  if (unknown !== undefined && unknown.length > 0) message.$unknown = unknown;
}
