#!/usr/bin/env node
// Builds gen/envoy-fast.json from gen/envoy.binpb: for every message and enum of the
// descriptor set, what the fast acceptance path (src/validate-fast.ts) reads of its
// descriptor — fields (names, JSON names, numbers, kinds, element types, oneofs,
// proto3 `optional`), enum values, and the protoc-gen-validate options as the unknown
// fields they are stored as — so that a compile of valid resources builds no
// descriptor of the registry (src/fast-descriptors.ts reads this table; its test
// compares it with the registry for every type).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const genDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'gen');
const inFile = join(genDir, 'envoy.binpb');
const outFile = join(genDir, 'envoy-fast.json');

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(inFile)));

// The protoc-gen-validate extensions by the options message they extend: only their
// unknown fields are kept (hasOption/getOption read nothing else).
const validateNumbers = new Map();
for (const type of registry) {
  if (type.kind !== 'extension' || !type.typeName.startsWith('validate.')) continue;
  const numbers = validateNumbers.get(type.extendee.typeName) ?? [];
  numbers.push(type.number);
  validateNumbers.set(type.extendee.typeName, numbers);
}

function options(proto) {
  const message = proto.options;
  if (!message) return 0;
  const numbers = validateNumbers.get(message.$typeName) ?? [];
  const kept = (message.$unknown ?? []).filter((uf) => numbers.includes(uf.no));
  if (kept.length === 0) return 0;
  return kept.map((uf) => [uf.no, uf.wireType, Buffer.from(uf.data).toString('base64')]);
}

const kinds = { scalar: 0, enum: 1, message: 2, list: 3, map: 4 };
const elementKind = (field) =>
  field.fieldKind === 'list' ? field.listKind : field.fieldKind === 'map' ? field.mapKind : field.fieldKind;
const elementType = (field) => {
  const kind = elementKind(field);
  return kind === 'message' ? field.message.typeName : kind === 'enum' ? field.enum.typeName : field.scalar;
};

const messages = {};
const enums = {};
for (const type of registry) {
  if (type.kind === 'enum') {
    enums[type.typeName] = type.values.map((v) => [v.name, v.number]);
    continue;
  }
  if (type.kind !== 'message') continue;
  const fields = type.fields.map((field) => {
    const row = [
      field.name,
      field.jsonName,
      field.number,
      kinds[field.fieldKind],
      kinds[elementKind(field)],
      elementType(field),
      field.oneof ? type.oneofs.indexOf(field.oneof) : -1,
      field.proto.proto3Optional ? 1 : 0,
      field.fieldKind === 'map' ? field.mapKey : 0,
      field.localName === field.jsonName ? 0 : field.localName,
      options(field.proto),
    ];
    while (row.length > 9 && row[row.length - 1] === 0) row.pop();
    return row;
  });
  const oneofs = type.oneofs.map((oneof) => {
    const row = [oneof.name, oneof.localName, options(oneof.proto)];
    if (row[2] === 0) row.pop();
    return row;
  });
  const row = [fields, oneofs, options(type.proto)];
  while (row.length > 1 && (row[row.length - 1] === 0 || row[row.length - 1].length === 0)) row.pop();
  messages[type.typeName] = row;
}

const text = JSON.stringify({ messages, enums });
const temporary = `${outFile}.${process.pid}`;
writeFileSync(temporary, text);
renameSync(temporary, outFile);
console.log(
  `build-fast-descriptors: wrote ${outFile} (${text.length} bytes, ${Object.keys(messages).length} messages, ${Object.keys(enums).length} enums)`,
);
