import { readFileSync } from 'node:fs';
import type { DescEnum, DescMessage, ScalarType } from '@bufbuild/protobuf';
import { typeNameOfUrl } from './registry.js';
import { precomputedRuleFields, type RuleFields } from './validate-checks.js';

/**
 * Descriptors for the fast acceptance path (validate-fast.ts) made from a table written at
 * build time (scripts/build-fast-descriptors.mjs, gen/envoy-fast.json), not from the
 * registry: a compile of valid resources then neither indexes the descriptor set nor decodes
 * or builds any of its files (the registry built ~75 files for the ~40–60 messages the path
 * checks, and validate.proto with descriptor.proto to read their rules).
 *
 * Each message is made when first asked for, its field types when first read. They carry
 * what the fast path reads of a DescMessage, DescField, DescOneof and DescEnum — names, JSON
 * names, numbers, kinds, element types, oneofs, proto3 `optional`, enum values — and, under
 * `tableRules`, the protoc-gen-validate rules validate-rules.ts would read from the
 * registry's options (fieldRuleFields, messageRulesOf). Nothing else: they are not
 * descriptors to decode or encode with (the authoritative path uses the registry).
 * fast-descriptors.test.ts compares them with the registry for every type.
 */

/** [name, jsonName, number, kind, element kind, element type, oneof index, proto3 optional, map key, localName, rules] */
type FieldRow = [
  string,
  string,
  number,
  number,
  number,
  string | number,
  number,
  number,
  number,
  (string | 0)?,
  (EncodedRecord | 0)?,
];
/** [fields, oneofs ([name, localName, required]), disabled] */
type MessageRow = [FieldRow[], ([string, string] | [string, string, number])[]?, number?];
/** A rules record in JSON: bigints, bytes, nested rules and other messages tagged. */
type EncodedRecord = Record<string, unknown>;

export interface FastDescriptorTable {
  /** A message's row, parsed when asked for. */
  messageRow(typeName: string): MessageRow | undefined;
  enumValues(typeName: string): Array<[string, number]> | undefined;
  messageNames(): string[];
}

/**
 * The table of gen/envoy-fast.json's text: a first line (JSON) with each message's row's place
 * in the rest and every enum's values, then the rows. Only the first line is parsed at once.
 */
export function parseFastDescriptorTable(text: string): FastDescriptorTable {
  const newline = text.indexOf('\n');
  const head = JSON.parse(text.slice(0, newline)) as {
    messages: Record<string, [number, number]>;
    enums: Record<string, Array<[string, number]>>;
  };
  const body = newline + 1;
  return {
    messageRow(typeName) {
      if (!Object.hasOwn(head.messages, typeName)) return undefined;
      const [start, end] = head.messages[typeName]!;
      return JSON.parse(text.slice(body + start, body + end)) as MessageRow;
    },
    enumValues: (typeName) => (Object.hasOwn(head.enums, typeName) ? head.enums[typeName] : undefined),
    messageNames: () => Object.keys(head.messages),
  };
}

/** The rules of the table: a field's (RuleFields or undefined), a message's (TableMessageRules). */
export const tableRules: unique symbol = Symbol('rules from the fast descriptor table');

/** What validate-rules.ts's messageRulesOf gives for the message. */
export interface TableMessageRules {
  disabled: boolean;
  requiredOneofs: Array<{ name: string; localName: string; fieldNames: string[] }>;
}

const kindNames = ['scalar', 'enum', 'message', 'list', 'map'] as const;

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value === null || typeof value !== 'object') return value;
  const tagged = value as Record<string, unknown>;
  if (typeof tagged.$bigint === 'string') return BigInt(tagged.$bigint);
  if (typeof tagged.$bytes === 'string') return new Uint8Array(Buffer.from(tagged.$bytes, 'base64'));
  if (tagged.$rules !== undefined) return precomputedRuleFields(reviveRecord(tagged.$rules as EncodedRecord));
  if (tagged.$message !== undefined) return reviveRecord(tagged.$message as EncodedRecord);
  throw new Error(
    `@attache/envoy: the fast descriptor table holds an untagged object (${Object.keys(tagged)})`,
  );
}

function reviveRecord(record: EncodedRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) out[key] = revive(record[key]);
  return out;
}

export interface FastDescriptors {
  /** The message of that name, or undefined when the set has none. */
  message(typeName: string): DescMessage | undefined;
  /** The message a type URL names (remembered by URL). */
  messageOfTypeUrl(typeUrl: string): DescMessage | undefined;
}

/**
 * Descriptors over a table. `strict` (for tests) makes every descriptor throw when code reads
 * a property it does not carry, instead of reading undefined.
 */
export function createFastDescriptors(table: FastDescriptorTable, strict = false): FastDescriptors {
  const messages = new Map<string, DescMessage>();
  const enums = new Map<string, DescEnum>();
  const byUrl = new Map<string, DescMessage>();
  const seal = <T extends object>(o: T, what: string): T =>
    strict
      ? new Proxy(o, {
          get(target, key) {
            if (typeof key === 'string' && !(key in target))
              throw new Error(`fast descriptor ${what}: no property '${key}'`);
            return Reflect.get(target, key);
          },
        })
      : o;

  function enumOf(typeName: string): DescEnum {
    let desc = enums.get(typeName);
    if (desc) return desc;
    const values = table.enumValues(typeName);
    if (!values) throw new Error(`@attache/envoy: enum ${typeName} missing from the fast descriptor table`);
    desc = seal(
      {
        kind: 'enum',
        typeName,
        values: values.map(([name, number]) =>
          seal({ kind: 'enum_value', name, number }, `${typeName}.${name}`),
        ),
      },
      typeName,
    ) as unknown as DescEnum;
    enums.set(typeName, desc);
    return desc;
  }

  function messageOf(typeName: string): DescMessage | undefined {
    let desc = messages.get(typeName);
    if (desc) return desc;
    const row = table.messageRow(typeName);
    if (!row) return undefined;
    const [fieldRows, oneofRows = [], disabled] = row;
    const oneofs = oneofRows.map(([name, localName]) => ({
      kind: 'oneof',
      name,
      localName,
      fields: [] as object[],
    }));
    const fields: object[] = [];
    const rules: TableMessageRules = { disabled: disabled === 1, requiredOneofs: [] };
    const message = {
      kind: 'message',
      typeName,
      fields,
      oneofs: oneofs.map((o) => seal(o, `${typeName}.${o.name}`)),
    };
    desc = seal(Object.assign(message, { [tableRules]: rules }), typeName) as unknown as DescMessage;
    // Registered before its fields: a recursive message finds itself.
    messages.set(typeName, desc);
    for (const fieldRow of fieldRows) fields.push(makeField(desc, fieldRow, message.oneofs));
    if (!rules.disabled) {
      oneofRows.forEach(([name, localName, required], i) => {
        if (required === 1)
          rules.requiredOneofs.push({
            name,
            localName,
            fieldNames: oneofs[i]!.fields.map((f) => (f as FastField).name),
          });
      });
    }
    return desc;
  }

  function makeField(parent: DescMessage, row: FieldRow, oneofs: Array<{ fields: object[] }>): object {
    const [
      name,
      jsonName,
      number,
      kind,
      elementKind,
      type,
      oneofIndex,
      proto3Optional,
      mapKey,
      localName,
      rules,
    ] = row;
    const field = new FastField(
      name,
      jsonName,
      localName || jsonName,
      number,
      kindNames[kind]!,
      kindNames[elementKind]!,
      type,
      parent,
      oneofIndex >= 0 ? oneofs[oneofIndex] : undefined,
      { proto3Optional: proto3Optional === 1 },
      mapKey,
      rules || undefined,
      resolve,
    );
    const sealed = seal(field, `${parent.typeName}.${name}`);
    field.oneof?.fields.push(sealed);
    return sealed;
  }

  const resolve: TypeResolver = {
    message: (typeName) => messageOf(typeName)!,
    enum: enumOf,
  };

  return {
    message: messageOf,
    messageOfTypeUrl(typeUrl) {
      let desc = byUrl.get(typeUrl);
      if (desc === undefined) {
        desc = messageOf(typeNameOfUrl(typeUrl));
        if (desc !== undefined) byUrl.set(typeUrl, desc);
      }
      return desc;
    },
  };
}

interface TypeResolver {
  message(typeName: string): DescMessage;
  enum(typeName: string): DescEnum;
}

type KindName = (typeof kindNames)[number];

/** A field: its message or enum type made, and its rules revived, when first read. */
class FastField {
  readonly kind = 'field';
  readonly scalar: ScalarType | undefined;
  readonly listKind: KindName | undefined;
  readonly mapKind: KindName | undefined;
  readonly mapKey: ScalarType | undefined;
  #type: DescMessage | DescEnum | undefined;
  #rules: RuleFields | undefined;

  constructor(
    readonly name: string,
    readonly jsonName: string,
    readonly localName: string,
    readonly number: number,
    readonly fieldKind: KindName,
    readonly elementKind: KindName,
    private readonly typeRef: string | number,
    readonly parent: DescMessage,
    readonly oneof: { fields: object[] } | undefined,
    readonly proto: { proto3Optional: boolean },
    mapKey: number,
    private readonly encodedRules: EncodedRecord | undefined,
    private readonly resolve: TypeResolver,
  ) {
    this.scalar = elementKind === 'scalar' ? (typeRef as ScalarType) : undefined;
    this.listKind = fieldKind === 'list' ? elementKind : undefined;
    this.mapKind = fieldKind === 'map' ? elementKind : undefined;
    this.mapKey = fieldKind === 'map' ? (mapKey as ScalarType) : undefined;
  }

  get message(): DescMessage | undefined {
    if (this.elementKind !== 'message') return undefined;
    this.#type ??= this.resolve.message(this.typeRef as string);
    return this.#type as DescMessage;
  }

  get enum(): DescEnum | undefined {
    if (this.elementKind !== 'enum') return undefined;
    this.#type ??= this.resolve.enum(this.typeRef as string);
    return this.#type as DescEnum;
  }

  /** What validate-rules.ts's fieldRuleFields gives for the field. */
  get [tableRules](): RuleFields | undefined {
    if (this.encodedRules === undefined) return undefined;
    this.#rules ??= reviveRecord(this.encodedRules);
    return this.#rules;
  }
}

// gen/ sits beside src/ and dist/ alike (as for the descriptor set, registry.ts).
const tableUrl = new URL('../gen/envoy-fast.json', import.meta.url);

function loadTable(): FastDescriptorTable {
  try {
    // (ASCII: read as latin1, without decoding UTF-8.)
    return parseFastDescriptorTable(readFileSync(tableUrl, 'latin1'));
  } catch (e) {
    throw new Error(
      `@attache/envoy: cannot read the fast descriptor table ${tableUrl.pathname} (${(e as Error).message}); ` +
        'run `npx turbo run build --filter=@attache/envoy` to generate it',
    );
  }
}

let shared: FastDescriptors | undefined;

/** The descriptors of the build's table, read on first use. */
export function fastDescriptors(): FastDescriptors {
  shared ??= createFastDescriptors(loadTable());
  return shared;
}

/** The fast path's message for a type URL (see createFastDescriptors). */
export function fastMessageOfTypeUrl(typeUrl: string): DescMessage | undefined {
  return fastDescriptors().messageOfTypeUrl(typeUrl);
}

/** For tests: the descriptors the fast path uses from now on (e.g. strict ones); undefined restores the build's. */
export function useFastDescriptors(descriptors: FastDescriptors | undefined): void {
  shared = descriptors;
}

/** The table's rules of a field or message made here; undefined for the registry's descriptors. */
export function tableRulesOf(desc: object): { rules: unknown } | undefined {
  return tableRules in desc ? { rules: (desc as { [tableRules]: unknown })[tableRules] } : undefined;
}
