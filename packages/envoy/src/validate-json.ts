import { isPlainObject, jsonPointer } from '@attache/core';
import type { DescField, DescMessage, JsonValue, Message } from '@bufbuild/protobuf';
import { protobuf, ScalarType } from './protobuf-runtime.js';
import { envoyRegistry } from './registry.js';
import type { ValidationIssue } from './validation-issue.js';

/**
 * Strict proto3-JSON decoding: unknown fields anywhere (including inside the
 * payload of an Any), unknown enum names, unresolvable '@type's and values of
 * the wrong type are all errors, exactly as Envoy's own JSON/YAML loader and
 * its protobuf decoding would see them.
 *
 * @bufbuild/protobuf's fromJson stops at the first error and does not say
 * where it was, so on failure we walk the JSON again field by field to name
 * the path (only the failing case pays for this).
 */
export function decodeStrict(
  desc: DescMessage,
  json: Record<string, unknown>,
): { message: Message; issues?: undefined } | { message?: undefined; issues: ValidationIssue[] } {
  try {
    return { message: protobuf().fromJson(desc, json as JsonValue, { registry: envoyRegistry }) };
  } catch (e) {
    const issues: ValidationIssue[] = [];
    locateMessageErrors(desc, json, [], issues);
    if (issues.length === 0) issues.push({ path: '', message: (e as Error).message });
    return { issues };
  }
}

type Segments = Array<string | number>;

const fieldsByJsonKey = new WeakMap<DescMessage, Map<string, DescField>>();

function fieldForKey(desc: DescMessage, key: string): DescField | undefined {
  let byKey = fieldsByJsonKey.get(desc);
  if (!byKey) {
    byKey = new Map();
    for (const field of desc.fields) {
      byKey.set(field.name, field);
      byKey.set(field.jsonName, field);
    }
    fieldsByJsonKey.set(desc, byKey);
  }
  return byKey.get(key);
}

/** Well-known types with a special JSON form (Duration as "1s", Struct as any object…): fromJson judges them whole. */
function hasSpecialJson(desc: DescMessage): boolean {
  return desc.typeName.startsWith('google.protobuf.') && desc.typeName !== 'google.protobuf.Any';
}

function push(issues: ValidationIssue[], segments: Segments, message: string): void {
  issues.push({ path: jsonPointer(...segments), message });
}

function decodeError(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function locateMessageErrors(
  desc: DescMessage,
  json: unknown,
  at: Segments,
  issues: ValidationIssue[],
): void {
  if (desc.typeName === 'google.protobuf.Any') {
    locateAnyErrors(json, at, issues);
    return;
  }
  if (hasSpecialJson(desc)) {
    const error = decodeError(() =>
      protobuf().fromJson(desc, json as JsonValue, { registry: envoyRegistry }),
    );
    if (error) push(issues, at, error);
    return;
  }
  if (!isPlainObject(json)) {
    push(issues, at, `expected an object (${desc.typeName}), got ${JSON.stringify(json)}`);
    return;
  }
  const oneofSetBy = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = fieldForKey(desc, key);
    if (!field) {
      push(issues, [...at, key], `unknown field "${key}" in ${desc.typeName}`);
      continue;
    }
    if (value === null) continue;
    if (field.oneof) {
      const other = oneofSetBy.get(field.oneof.name);
      if (other !== undefined) {
        push(
          issues,
          [...at, key],
          `"${key}" and "${other}" are both set, but only one field of oneof ${field.oneof.name} may be`,
        );
        continue;
      }
      oneofSetBy.set(field.oneof.name, key);
    }
    locateFieldErrors(desc, field, key, value, [...at, key], issues);
  }
}

function locateFieldErrors(
  parent: DescMessage,
  field: DescField,
  key: string,
  value: unknown,
  at: Segments,
  issues: ValidationIssue[],
): void {
  // Decoding the parent with only this one field isolates the error to it.
  const decodeAlone = (v: unknown) =>
    decodeError(() => protobuf().fromJson(parent, { [key]: v } as JsonValue, { registry: envoyRegistry }));
  switch (field.fieldKind) {
    case 'message':
      locateMessageErrors(field.message, value, at, issues);
      return;
    case 'list':
      if (!Array.isArray(value)) break;
      value.forEach((item, i) => {
        if (field.listKind === 'message') locateMessageErrors(field.message, item, [...at, i], issues);
        else reportScalar(decodeAlone([item]), field, item, [...at, i], issues);
      });
      return;
    case 'map':
      if (!isPlainObject(value)) break;
      for (const [k, v] of Object.entries(value)) {
        if (field.mapKind === 'message') {
          if (!mapKeyIsValid(field.mapKey, k)) push(issues, [...at, k], `invalid map key "${k}"`);
          else locateMessageErrors(field.message, v, [...at, k], issues);
        } else reportScalar(decodeAlone({ [k]: v }), field, v, [...at, k], issues);
      }
      return;
    default:
      reportScalar(decodeAlone(value), field, value, at, issues);
      return;
  }
  reportScalar(decodeAlone(value), field, value, at, issues);
}

/** Map keys are JSON object keys; a non-string key type needs the matching spelling. */
function mapKeyIsValid(type: ScalarType, key: string): boolean {
  if (type === ScalarType.STRING) return true;
  if (type === ScalarType.BOOL) return key === 'true' || key === 'false';
  return /^-?\d+$/.test(key);
}

function reportScalar(
  error: string | undefined,
  field: DescField,
  value: unknown,
  at: Segments,
  issues: ValidationIssue[],
): void {
  if (!error) return;
  // `enum` is set for enum fields and for lists and maps of enums alike.
  const enumDesc = field.enum;
  if (enumDesc && typeof value === 'string') {
    const names = enumDesc.values.map((v) => v.name).join(', ');
    push(issues, at, `unknown ${enumDesc.typeName} value "${value}"; expected one of ${names}`);
    return;
  }
  push(issues, at, error);
}

function locateAnyErrors(json: unknown, at: Segments, issues: ValidationIssue[]): void {
  if (!isPlainObject(json)) {
    push(issues, at, `expected an object with "@type" (google.protobuf.Any), got ${JSON.stringify(json)}`);
    return;
  }
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string' || typeUrl === '') {
    push(issues, [...at, '@type'], 'an Any needs "@type": "type.googleapis.com/<message type>"');
    return;
  }
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const payload = envoyRegistry.getMessage(typeName);
  if (!payload) {
    push(
      issues,
      [...at, '@type'],
      `unknown type "${typeUrl}": no such message in the Envoy v3 API we build against`,
    );
    return;
  }
  const { '@type': _type, ...body } = json;
  if (hasSpecialJson(payload)) {
    locateMessageErrors(payload, body.value, [...at, 'value'], issues);
    return;
  }
  locateMessageErrors(payload, body, at, issues);
}
