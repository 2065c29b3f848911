import { readFileSync } from 'node:fs';
import type { DescEnum, DescField, DescMessage, DescOneof, Message } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFastDescriptors,
  type FastDescriptors,
  parseFastDescriptorTable,
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
import { ruleFields } from './validate-checks.js';
import { fastAccepts } from './validate-fast.js';
import { fieldRuleFields, messageRulesOf } from './validate-rules.js';

const tableText = readFileSync(new URL('../gen/envoy-fast.json', import.meta.url), 'utf8');
const table = parseFastDescriptorTable(tableText);

/**
 * Rules as text, keys in order (typeCaseOf reads the first key): nested rules messages as the
 * record ruleFields gives (the table holds them so), bigints and bytes spelled out.
 */
function rulesText(rules: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v instanceof Uint8Array) return { bytes: [...v] };
    if (typeof v === 'bigint') return `${v}n`;
    if (v === null || typeof v !== 'object') return v;
    const record = v as Record<string, unknown>;
    if (typeof record.$typeName === 'string' && record.$typeName.startsWith('validate.'))
      return norm(ruleFields(v as Message));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) out[key] = norm(record[key]);
    return out;
  };
  return JSON.stringify(norm(rules) ?? null);
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
    rules: rulesText(fieldRuleFields(field)),
  };
}

function oneofFacts(oneof: DescOneof) {
  return {
    name: oneof.name,
    localName: oneof.localName,
    fields: oneof.fields.map((f) => f.name),
  };
}

function messageFacts(desc: DescMessage) {
  return {
    typeName: desc.typeName,
    fields: desc.fields.map(fieldFacts),
    oneofs: desc.oneofs.map(oneofFacts),
    messageRules: messageRulesOf(desc),
  };
}

function enumFacts(desc: DescEnum) {
  return { typeName: desc.typeName, values: desc.values.map((v) => [v.name, v.number]) };
}

describe('fast descriptors', () => {
  it('say of every message of the registry what the registry says (fields, oneofs, enums, validate rules)', () => {
    const fast = createFastDescriptors(table, true);
    let messages = 0;
    let withRules = 0;
    let required = 0;
    for (const type of envoyRegistry) {
      if (type.kind !== 'message') continue;
      messages++;
      const mine = fast.message(type.typeName);
      expect(mine, type.typeName).toBeDefined();
      const facts = messageFacts(mine!);
      expect(facts, type.typeName).toEqual(messageFacts(type));
      required += facts.messageRules.requiredOneofs.length;
      withRules += facts.fields.filter((f) => f.rules !== 'null').length;
      for (const field of mine!.fields) {
        if (field.enum)
          expect(enumFacts(field.enum)).toEqual(enumFacts(envoyRegistry.getEnum(field.enum.typeName)!));
      }
    }
    expect(table.messageNames().length).toBe(messages);
    // ASCII only: the table is read as latin1.
    expect(/[\u0080-\uffff]/.test(tableText)).toBe(false);
    expect(messages).toBeGreaterThan(600);
    expect(withRules).toBeGreaterThan(400);
    expect(required).toBeGreaterThan(50);
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
