import type {
  DescEnum,
  DescExtension,
  DescFile,
  DescMessage,
  DescService,
  FileRegistry,
} from '@bufbuild/protobuf';
import type { FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { decodeFileDescriptorProto } from './descriptor-decode.js';
import { protobuf, protobufReflect } from './protobuf-runtime.js';

type Desc = DescMessage | DescEnum | DescExtension | DescService;

/**
 * A FileRegistry over a serialised FileDescriptorSet that decodes and builds a
 * file (with the files it imports) only when one of its types is first asked
 * for. Building the whole Envoy set (138 files) is most of the offline CLI's
 * start, and a compile uses a part of it.
 *
 * What it answers is what `createFileRegistry(fromBinary(FileDescriptorSetSchema,
 * bytes))` answers (a test compares every type): a first scan of the bytes
 * (wire format only, no decoding) indexes each file's top-level types and
 * every extension's extendee; a type nested in a message is found through its
 * top-level message's file; `getExtensionFor` first builds every file that
 * extends that message; iterating it or its `files` builds everything (files
 * in the set's order). Each file is built once, against the files built before
 * it, so descriptors are shared (a field's message is the registry's message).
 */
export function createLazyFileRegistry(
  source: Uint8Array | (() => Uint8Array),
): FileRegistry & { readonly builtFiles: number } {
  // Given a function, the set is read and indexed on first use: a compile of valid resources
  // asks the registry nothing (the fast path reads the build's table, fast-descriptors.ts).
  let bytes: Uint8Array | undefined = typeof source === 'function' ? undefined : source;
  let indexed: FileDescriptorSetIndex | undefined;
  const indexOf = (): FileDescriptorSetIndex => {
    if (indexed === undefined) {
      bytes ??= (source as () => Uint8Array)();
      indexed = indexFileDescriptorSet(bytes);
    }
    return indexed;
  };
  // Given the bytes, indexed now (a damaged set fails here).
  if (bytes !== undefined) indexOf();
  const built = new Map<string, DescFile>();
  const types = new Map<string, Desc>();
  const extendees = new Map<string, Map<number, DescExtension>>();
  let complete = false;

  const decode = (name: string): FileDescriptorProto | undefined => {
    const at = indexOf().files.get(name);
    // (What fromBinary(FileDescriptorProtoSchema, …) gives, read faster: descriptor-decode.ts.)
    return at && decodeFileDescriptorProto(bytes!.subarray(at.start, at.end));
  };

  function buildFile(name: string): DescFile | undefined {
    const done = built.get(name);
    if (done) return done;
    const proto = decode(name);
    if (!proto) return undefined;
    // Its imports first, each once: then the file is built against descriptors already made.
    for (const dep of proto.dependency) buildFile(dep);
    // createFileRegistry adds each import given as a DescFile with everything it imports, again
    // and again along every path of the import graph: given a copy of each direct import without
    // its own imports (the types a file may use are its direct imports'; the set has no public
    // imports, which a test checks), it adds each once. The file then lists the imports themselves.
    const file = protobuf()
      .createFileRegistry(proto, (dep) => {
        const real = built.get(dep);
        return real && { ...real, dependencies: [] };
      })
      .getFile(name)!;
    const deps = file.dependencies as DescFile[];
    for (let i = 0; i < deps.length; i++) deps[i] = built.get(deps[i]!.proto.name)!;
    built.set(name, file);
    for (const type of protobufReflect().nestedTypes(file)) {
      types.set(type.typeName, type);
      if (type.kind === 'extension') {
        const byNumber = extendees.get(type.extendee.typeName) ?? new Map<number, DescExtension>();
        extendees.set(type.extendee.typeName, byNumber);
        byNumber.set(type.number, type);
      }
    }
    return file;
  }

  /** Every file, built, in the set's order. */
  function allFiles(): DescFile[] {
    const all = [...indexOf().files.keys()].map((name) => buildFile(name)!);
    complete = true;
    return all;
  }

  /** The type of that name: from the file declaring it, or its top-level enclosing type's file. */
  function lookup(typeName: string): Desc | undefined {
    const found = types.get(typeName);
    if (found || complete) return found;
    for (let name = typeName; ; ) {
      const file = indexOf().typeFiles.get(name);
      if (file !== undefined) {
        buildFile(file);
        return types.get(typeName);
      }
      const dot = name.lastIndexOf('.');
      if (dot < 0) break;
      name = name.slice(0, dot);
    }
    return undefined;
  }

  return {
    kind: 'registry',
    /** How many files it has built so far (for tests and measurements). */
    get builtFiles() {
      return built.size;
    },
    [Symbol.iterator]() {
      return allFiles()
        .flatMap((file) => [...protobufReflect().nestedTypes(file)])
        [Symbol.iterator]();
    },
    get files() {
      return allFiles()[Symbol.iterator]();
    },
    getFile: (fileName) => buildFile(fileName),
    get: (typeName) => lookup(typeName),
    getMessage(typeName) {
      const t = lookup(typeName);
      return t?.kind === 'message' ? t : undefined;
    },
    getEnum(typeName) {
      const t = lookup(typeName);
      return t?.kind === 'enum' ? t : undefined;
    },
    getExtension(typeName) {
      const t = lookup(typeName);
      return t?.kind === 'extension' ? t : undefined;
    },
    getExtensionFor(extendee, no) {
      for (const file of indexOf().extendingFiles.get(extendee.typeName) ?? []) buildFile(file);
      return extendees.get(extendee.typeName)?.get(no);
    },
    getService(typeName) {
      const t = lookup(typeName);
      return t?.kind === 'service' ? t : undefined;
    },
  };
}

export interface FileDescriptorSetIndex {
  /** Each file's bytes (a FileDescriptorProto) within the set, by file name. */
  files: Map<string, { start: number; end: number }>;
  /** The file of each top-level message, enum, service and extension, by fully-qualified name. */
  typeFiles: Map<string, string>;
  /** The files that declare extensions of a message (at any depth), by the message's name. */
  extendingFiles: Map<string, string[]>;
}

/**
 * Reads the names out of a serialised FileDescriptorSet without decoding it
 * (field numbers of descriptor.proto: FileDescriptorSet.file = 1;
 * FileDescriptorProto name = 1, package = 2, message_type = 4, enum_type = 5,
 * service = 6, extension = 7; DescriptorProto name = 1, nested_type = 3,
 * extension = 6; FieldDescriptorProto name = 1, extendee = 2; EnumDescriptorProto
 * and ServiceDescriptorProto name = 1).
 */
export function indexFileDescriptorSet(bytes: Uint8Array): FileDescriptorSetIndex {
  const files = new Map<string, { start: number; end: number }>();
  const typeFiles = new Map<string, string>();
  const extendingFiles = new Map<string, string[]>();
  const text = new TextDecoder();
  const str = (f: Field) => text.decode(bytes.subarray(f.start, f.end));

  const extensionOf = (file: string, start: number, end: number) => {
    for (const f of fields(bytes, start, end)) {
      if (f.no !== 2) continue;
      const extendee = str(f).replace(/^\./, '');
      const list = extendingFiles.get(extendee) ?? [];
      if (!list.includes(file)) list.push(file);
      extendingFiles.set(extendee, list);
    }
  };
  const nameOf = (start: number, end: number) => {
    for (const f of fields(bytes, start, end)) if (f.no === 1) return str(f);
    return '';
  };
  const messageExtensions = (file: string, start: number, end: number) => {
    for (const f of fields(bytes, start, end)) {
      if (f.no === 3) messageExtensions(file, f.start, f.end);
      else if (f.no === 6) extensionOf(file, f.start, f.end);
    }
  };

  for (const entry of fields(bytes, 0, bytes.length)) {
    if (entry.no !== 1) continue;
    let name = '';
    let pkg = '';
    const topLevel: { no: number; start: number; end: number }[] = [];
    for (const f of fields(bytes, entry.start, entry.end)) {
      if (f.no === 1) name = str(f);
      else if (f.no === 2) pkg = str(f);
      else if (f.no >= 4 && f.no <= 7) topLevel.push(f);
    }
    files.set(name, { start: entry.start, end: entry.end });
    for (const f of topLevel) {
      const typeName = pkg ? `${pkg}.${nameOf(f.start, f.end)}` : nameOf(f.start, f.end);
      typeFiles.set(typeName, name);
      if (f.no === 4) messageExtensions(name, f.start, f.end);
      else if (f.no === 7) extensionOf(name, f.start, f.end);
    }
  }
  return { files, typeFiles, extendingFiles };
}

interface Field {
  no: number;
  /** A length-delimited field's bytes; other wire types are skipped and reported with start = end. */
  start: number;
  end: number;
}

/** The fields of a message's bytes, in order. */
function* fields(bytes: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) throw new Error('descriptor set: truncated varint');
      const b = bytes[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      shift += 7;
    }
  };
  while (pos < end) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        varint();
        yield { no, start: pos, end: pos };
        break;
      case 1:
        pos += 8;
        yield { no, start: pos, end: pos };
        break;
      case 2: {
        const length = varint();
        const fieldStart = pos;
        pos += length;
        if (pos > end) throw new Error('descriptor set: truncated field');
        yield { no, start: fieldStart, end: pos };
        break;
      }
      case 5:
        pos += 4;
        yield { no, start: pos, end: pos };
        break;
      default:
        throw new Error(`descriptor set: unsupported wire type ${tag & 7}`);
    }
  }
}
