import { createRequire } from 'node:module';
import type * as Protobuf from '@bufbuild/protobuf';
import type { DescMessage, ScalarType as ScalarTypeEnum } from '@bufbuild/protobuf';
import type * as ProtobufReflect from '@bufbuild/protobuf/reflect';
import type * as ProtobufWire from '@bufbuild/protobuf/wire';
import type * as ProtobufWkt from '@bufbuild/protobuf/wkt';

/**
 * @bufbuild/protobuf's runtime, loaded when first asked for rather than imported: its start-up
 * (the well-known types' descriptors: descriptor.proto built by hand, any.proto and struct.proto
 * decoded with it) costs every process that imports it ~50 M instructions, ~15 ms, and a compile
 * of valid resources never needs it (the fast acceptance path reads the build's table,
 * fast-descriptors.ts). Only the authoritative path, the registry and the encoders call it.
 *
 * Each package is asked for by a literal `require()` call: in the CLI's bundle (rolldown) that
 * call is the package's bundled module, initialised on the first call; where `require` is not
 * defined (an ES module run by Node) or cannot reach the package from where it is defined (a
 * test runner's), Node's require from this file's place loads it. Either way it is the package's
 * CommonJS build: every module of this package takes its values from here, so one copy is in use.
 * Its descriptors and messages are plain objects, told apart by `kind` and `$typeName`, so code
 * using the ES module build (the ADS sink, tests) reads them alike.
 */

let runtime: typeof Protobuf | undefined;
let wkt: typeof ProtobufWkt | undefined;
let wire: typeof ProtobufWire | undefined;
let reflect: typeof ProtobufReflect | undefined;

/**
 * A package from `direct` (a literal `require()` of it, which the bundle resolves), or else from
 * Node's require at this file's place (an ES module run by Node, a test runner).
 */
function load<T>(direct: () => unknown, name: string): T {
  try {
    return direct() as T;
  } catch {
    return createRequire(import.meta.url)(name) as T;
  }
}

/** `@bufbuild/protobuf`. */
export function protobuf(): typeof Protobuf {
  runtime ??= load<typeof Protobuf>(() => require('@bufbuild/protobuf'), '@bufbuild/protobuf');
  return runtime;
}

/** `@bufbuild/protobuf/wkt`. */
export function protobufWkt(): typeof ProtobufWkt {
  wkt ??= load<typeof ProtobufWkt>(() => require('@bufbuild/protobuf/wkt'), '@bufbuild/protobuf/wkt');
  return wkt;
}

/** `@bufbuild/protobuf/wire`. */
export function protobufWire(): typeof ProtobufWire {
  wire ??= load<typeof ProtobufWire>(() => require('@bufbuild/protobuf/wire'), '@bufbuild/protobuf/wire');
  return wire;
}

/** `@bufbuild/protobuf/reflect`. */
export function protobufReflect(): typeof ProtobufReflect {
  reflect ??= load<typeof ProtobufReflect>(
    () => require('@bufbuild/protobuf/reflect'),
    '@bufbuild/protobuf/reflect',
  );
  return reflect;
}

/** @bufbuild/protobuf's ScalarType (the type; the values below). */
export type ScalarType = ScalarTypeEnum;

/**
 * The values of @bufbuild/protobuf's ScalarType (a numeric enum of protobuf's scalar types,
 * fixed by descriptor.proto), without loading the package. protobuf-runtime.test compares them.
 */
export const ScalarType = {
  DOUBLE: 1,
  FLOAT: 2,
  INT64: 3,
  UINT64: 4,
  INT32: 5,
  FIXED64: 6,
  FIXED32: 7,
  BOOL: 8,
  STRING: 9,
  BYTES: 12,
  UINT32: 13,
  SFIXED32: 15,
  SFIXED64: 16,
  SINT32: 17,
  SINT64: 18,
} as const satisfies Record<keyof typeof ScalarTypeEnum & string, number> as unknown as typeof ScalarTypeEnum;

const wrapperTypeNames = new Set([
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

/** @bufbuild/protobuf/wkt's isWrapperDesc, without loading the package (protobuf-runtime.test compares them). */
export function isWrapperDesc(desc: DescMessage): boolean {
  const f = desc.fields[0];
  return (
    wrapperTypeNames.has(desc.typeName) &&
    f !== undefined &&
    f.fieldKind === 'scalar' &&
    f.name === 'value' &&
    f.number === 1
  );
}
