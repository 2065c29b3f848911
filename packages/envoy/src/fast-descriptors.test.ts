import { readFileSync } from 'node:fs';
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescOneof,
  getOption,
  hasOption,
  toBinary,
} from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFastDescriptors,
  type FastDescriptors,
  type FastDescriptorTable,
  useFastDescriptors,
} from './fast-descriptors.js';
import { envoyRegistry, messageDesc, messageOfTypeUrl, typeNameOfUrl } from './registry.js';
import {
  validationFixtures as fixtures,
  type JsonObject,
  keyMutations,
  mutations,
  randomMutations,
  seededRandom,
} from './testing/validation-corpus.js';
import { fastAccepts } from './validate-fast.js';

const table = JSON.parse(
  readFileSync(new URL('../gen/envoy-fast.json', import.meta.url), 'utf8'),
) as FastDescriptorTable;

const validateExtensions = [...envoyRegistry].filter(
  (t) => t.kind === 'extension' && t.typeName.startsWith('validate.'),
);

/** What hasOption/getOption give for every validate extension of that options message. */
function validateOptions(element: { proto: { options?: unknown } }, extendee: string): unknown[] {
  return validateExtensions
    .filter((ext) => ext.kind === 'extension' && ext.extendee.typeName === extendee)
    .map((ext) => {
      if (ext.kind !== 'extension') return undefined;
      const e = element as DescField;
      if (!hasOption(e, ext)) return [ext.typeName, 'unset'];
      const value = getOption(e, ext) as unknown;
      // Messages compared by their bytes (rules messages), scalars as they are.
      return [
        ext.typeName,
        ext.message && typeof value === 'object'
          ? Buffer.from(toBinary(ext.message, value as never)).toString('hex')
          : value,
      ];
    });
}

function fieldFacts(field: DescField) {
  return {
    name: field.name,
    jsonName: field.jsonName,
    localName: field.localName,
    number: field.number,
    fieldKind: field.fieldKind,
    listKind: field.fieldKind === 'list' ? field.listKind : undefined,
    mapKind: field.fieldKind === 'map' ? field.mapKind : undefined,
    mapKey: field.fieldKind === 'map' ? field.mapKey : undefined,
    scalar: field.scalar,
    message: field.message?.typeName,
    enum: field.enum?.typeName,
    parent: field.parent.typeName,
    oneof: field.oneof?.name,
    proto3Optional: field.proto.proto3Optional,
    options: validateOptions(field, 'google.protobuf.FieldOptions'),
  };
}

function oneofFacts(oneof: DescOneof) {
  return {
    name: oneof.name,
    localName: oneof.localName,
    fields: oneof.fields.map((f) => f.name),
    options: validateOptions(oneof, 'google.protobuf.OneofOptions'),
  };
}

function messageFacts(desc: DescMessage) {
  return {
    typeName: desc.typeName,
    fields: desc.fields.map(fieldFacts),
    oneofs: desc.oneofs.map(oneofFacts),
    options: validateOptions(desc, 'google.protobuf.MessageOptions'),
  };
}

function enumFacts(desc: DescEnum) {
  return { typeName: desc.typeName, values: desc.values.map((v) => [v.name, v.number]) };
}

describe('fast descriptors', () => {
  it('say of every message of the registry what the registry says (fields, oneofs, enums, validate options)', () => {
    const fast = createFastDescriptors(table, true);
    let messages = 0;
    let withRules = 0;
    for (const type of envoyRegistry) {
      if (type.kind !== 'message') continue;
      messages++;
      const mine = fast.message(type.typeName);
      expect(mine, type.typeName).toBeDefined();
      const facts = messageFacts(mine!);
      expect(facts, type.typeName).toEqual(messageFacts(type));
      if (JSON.stringify(facts).includes('"validate.rules",')) withRules++;
      for (const field of mine!.fields) {
        if (field.enum)
          expect(enumFacts(field.enum)).toEqual(enumFacts(envoyRegistry.getEnum(field.enum.typeName)!));
      }
    }
    expect(Object.keys(table.messages).length).toBe(messages);
    expect(messages).toBeGreaterThan(600);
    expect(withRules).toBeGreaterThan(200);
  }, 60_000);

  it('share descriptors: a field of a message type holds the message the descriptors give by name', () => {
    const fast = createFastDescriptors(table);
    const route = fast.message('envoy.config.route.v3.Route')!;
    const action = route.fields.find((f) => f.name === 'route')!;
    expect(action.message).toBe(fast.message('envoy.config.route.v3.RouteAction'));
    expect(fast.messageOfTypeUrl('type.googleapis.com/envoy.config.route.v3.Route')).toBe(route);
    expect(fast.message('no.such.Message')).toBeUndefined();
    expect(route.oneofs[0]!.fields.every((f) => f.oneof === route.oneofs[0])).toBe(true);
  });
});

// The fast path judged twice: over the registry's descriptors (as it did before the table) and
// over the table's, strict (a property the table does not carry would throw). Same verdicts.
describe('fast path over the table and over the registry', () => {
  const registryBacked: FastDescriptors = {
    message: (typeName) => envoyRegistry.getMessage(typeName),
    messageOfTypeUrl,
  };
  afterEach(() => useFastDescriptors(undefined));

  function verdicts(jsons: JsonObject[]): { overRegistry: boolean[]; overTable: boolean[] } {
    useFastDescriptors(registryBacked);
    const overRegistry = jsons.map((json) =>
      fastAccepts(messageDesc(typeNameOfUrl(json['@type'] as string)), json, true),
    );
    const strict = createFastDescriptors(table, true);
    useFastDescriptors(strict);
    const overTable = jsons.map((json) =>
      fastAccepts(strict.messageOfTypeUrl(json['@type'] as string)!, json, true),
    );
    return { overRegistry, overTable };
  }

  it('the fixtures and their single-point and key mutations', () => {
    const jsons = fixtures().flatMap((json) => [json, ...mutations(json), ...keyMutations(json)]);
    const { overRegistry, overTable } = verdicts(jsons);
    expect(overTable).toEqual(overRegistry);
    expect(overRegistry.filter(Boolean).length).toBeGreaterThan(jsons.length / 10);
    expect(overRegistry.filter((ok) => !ok).length).toBeGreaterThan(jsons.length / 4);
  }, 120_000);

  it('random mutations at up to three places (fixed seed)', () => {
    const random = seededRandom(1215);
    const jsons = fixtures().flatMap((json) => [...randomMutations(json, random, 150)]);
    const { overRegistry, overTable } = verdicts(jsons);
    expect(overTable).toEqual(overRegistry);
    expect(overRegistry.filter(Boolean).length).toBeGreaterThan(jsons.length / 10);
  }, 120_000);
});
