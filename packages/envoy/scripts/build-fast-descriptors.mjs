#!/usr/bin/env node
// Builds gen/envoy-fast.json from gen/envoy.binpb: for every message and enum of the
// descriptor set, what the fast acceptance path (src/validate-fast.ts) reads of its
// descriptor — fields (names, JSON names, numbers, kinds, element types, oneofs,
// proto3 `optional`), enum values, and the protoc-gen-validate rules already read from
// the options (a field's rules, a message's `disabled`/`ignored`, a oneof's `required`) —
// so that a compile of valid resources neither builds nor even indexes the registry
// (src/fast-descriptors.ts reads this table; its test compares it with the registry for
// every type).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, getOption, hasOption, isFieldSet } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const genDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'gen');
const inFile = join(genDir, 'envoy.binpb');
const outFile = join(genDir, 'envoy-fast.json');

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(inFile)));

// The protoc-gen-validate options, read as src/validate-rules.ts reads them from the registry
// (fieldRuleFields, messageRulesOf): a field's rules as the set fields of validate.FieldRules,
// nested rules messages likewise (src/validate-checks.ts ruleFields), other values as they are.
const extension = (name) => registry.getExtension(name);
const rulesOption = extension('validate.rules');
const oneofRequiredOption = extension('validate.required');
const messageDisabledOption = extension('validate.disabled');
const messageIgnoredOption = extension('validate.ignored');
if (!rulesOption || !oneofRequiredOption || !messageDisabledOption)
  throw new Error('build-fast-descriptors: validate.proto extensions missing from the descriptor set');

const isTrue = (element, option) =>
  option !== undefined && hasOption(element, option) && getOption(element, option) === true;

function ruleFields(message) {
  const desc = registry.getMessage(message.$typeName);
  const out = {};
  for (const field of desc.fields) {
    if (!isFieldSet(message, field)) continue;
    out[field.name] = field.oneof ? message[field.oneof.localName].value : message[field.localName];
  }
  return out;
}

/** A value of a rules message in JSON: bigints, bytes and messages tagged (src/fast-descriptors.ts revives them). */
function encode(value) {
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(encode);
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new Error(`build-fast-descriptors: a rule holds ${value}, which JSON cannot`);
  if (value === null || typeof value !== 'object') return value;
  if (typeof value.$typeName !== 'string')
    throw new Error('build-fast-descriptors: a rule holds a plain object');
  if (value.$typeName.startsWith('validate.')) return { $rules: encodeRecord(ruleFields(value)) };
  return { $message: encodeRecord(value) };
}

function encodeRecord(record) {
  const out = {};
  for (const [key, value] of Object.entries(record)) out[key] = encode(value);
  return out;
}

const fieldRules = (field) =>
  hasOption(field, rulesOption) ? encodeRecord(ruleFields(getOption(field, rulesOption))) : 0;

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
      fieldRules(field),
    ];
    while (row.length > 9 && row[row.length - 1] === 0) row.pop();
    return row;
  });
  const disabled = isTrue(type, messageDisabledOption) || isTrue(type, messageIgnoredOption);
  const oneofs = type.oneofs.map((oneof) =>
    isTrue(oneof, oneofRequiredOption) ? [oneof.name, oneof.localName, 1] : [oneof.name, oneof.localName],
  );
  const row = [fields, oneofs, disabled ? 1 : 0];
  while (row.length > 1 && (row[row.length - 1] === 0 || row[row.length - 1].length === 0)) row.pop();
  messages[type.typeName] = row;
}

// A first line with each message's place in the rest and the enums, then the messages' rows:
// a compile parses the first line and only the rows of the messages it meets. ASCII only (other
// characters escaped), so the file is read as latin1 without decoding UTF-8.
const ascii = (json) =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const index = {};
const rows = [];
let offset = 0;
for (const [typeName, row] of Object.entries(messages)) {
  const rowText = ascii(JSON.stringify(row));
  index[typeName] = [offset, offset + rowText.length];
  rows.push(rowText);
  offset += rowText.length;
}
const text = `${ascii(JSON.stringify({ messages: index, enums }))}\n${rows.join('')}`;
const temporary = `${outFile}.${process.pid}`;
writeFileSync(temporary, text);
renameSync(temporary, outFile);
console.log(
  `build-fast-descriptors: wrote ${outFile} (${text.length} bytes, ${Object.keys(messages).length} messages, ${Object.keys(enums).length} enums)`,
);
