/**
 * TypeBox (JSON Schema) → Kubernetes structural OpenAPI v3 schema.
 *
 * The API server only accepts "structural" CRD schemas: every node has one
 * `type` (or says it is int-or-string or preserves unknown fields), no
 * `$ref`, no `additionalProperties: false`, and anyOf/oneOf/allOf may only
 * add validation, never structure. Unions that cannot be written that way
 * become preserved (the compiler still validates them with the full schema).
 */
export type JsonSchema = Record<string, unknown>;

const preserve = 'x-kubernetes-preserve-unknown-fields';
const intOrString = 'x-kubernetes-int-or-string';

/** Validation keywords the API server understands and that mean the same in TypeBox. */
const copiedKeywords = [
  'description',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'enum',
  'format',
] as const;

/** Formats the API server validates; others are dropped (it would reject or ignore them). */
const knownFormats = new Set([
  'int32',
  'int64',
  'float',
  'double',
  'byte',
  'date',
  'date-time',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);

export function toStructural(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const key of copiedKeywords) {
    if (schema[key] === undefined) continue;
    if (key === 'format' && !knownFormats.has(String(schema[key]))) continue;
    if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof schema[key] === 'number') {
      // JSON Schema 2019 numeric form → OpenAPI v3 boolean form.
      out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = schema[key];
      out[key] = true;
      continue;
    }
    out[key] = structuredClone(schema[key]);
  }
  if (typeof schema.pattern === 'string' && isRe2Compatible(schema.pattern)) out.pattern = schema.pattern;
  if (schema[preserve] === true && schema.type !== 'object') {
    // A preserved union or scalar: no structure to describe.
    return { ...pick(out, 'description'), [preserve]: true };
  }
  if (schema.const !== undefined) {
    return { ...out, type: jsonType(schema.const), enum: [schema.const] };
  }
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return { ...pick(out, 'description'), ...unionToStructural(union) };
  if (Array.isArray(schema.allOf))
    return { ...pick(out, 'description'), ...intersectionToStructural(schema.allOf as JsonSchema[]) };
  switch (schema.type) {
    case 'object':
      return { ...out, ...objectToStructural(schema) };
    case 'array':
      return {
        ...out,
        type: 'array',
        items: schema.items ? toStructural(schema.items as JsonSchema) : { [preserve]: true },
      };
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { ...out, type: schema.type };
    case 'null':
      return { ...pick(out, 'description'), [preserve]: true };
    default:
      // Type.Unknown / Type.Any: anything goes.
      return { ...pick(out, 'description'), [preserve]: true };
  }
}

function objectToStructural(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { type: 'object' };
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const patternProperties = schema.patternProperties as Record<string, JsonSchema> | undefined;
  if (properties && Object.keys(properties).length) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toStructural(v)]));
    const required = (schema.required as string[] | undefined)?.filter((r) => r in properties);
    if (required?.length) out.required = [...required];
  }
  if (schema[preserve] === true) {
    out[preserve] = true;
    return out;
  }
  const valueSchema =
    patternProperties && Object.keys(patternProperties).length === 1
      ? Object.values(patternProperties)[0]
      : typeof schema.additionalProperties === 'object'
        ? (schema.additionalProperties as JsonSchema)
        : undefined;
  if (valueSchema && !out.properties) {
    out.additionalProperties = toStructural(valueSchema);
  } else if (!out.properties && schema.additionalProperties === true) {
    out[preserve] = true;
  }
  return out;
}

function unionToStructural(members: JsonSchema[]): JsonSchema {
  const literals = members.filter((m) => m.const !== undefined);
  if (literals.length === members.length) {
    const types = new Set(literals.map((m) => jsonType(m.const)));
    if (types.size === 1) return { type: [...types][0], enum: literals.map((m) => m.const) };
  }
  const types = new Set(members.map((m) => (m.const !== undefined ? jsonType(m.const) : m.type)));
  if (types.size === 2 && types.has('string') && (types.has('integer') || types.has('number'))) {
    return { [intOrString]: true };
  }
  if (types.size === 1) {
    const [only] = types;
    if (only === 'string' || only === 'integer' || only === 'number' || only === 'boolean')
      return { type: only };
    if (only === 'object') return intersectionToStructural(members, true);
  }
  return { [preserve]: true };
}

/** allOf of objects (or a union of object shapes): one object with every property, required only where all agree. */
function intersectionToStructural(members: JsonSchema[], isUnion = false): JsonSchema {
  if (!members.every((m) => m.type === 'object')) return { [preserve]: true };
  const properties: Record<string, JsonSchema> = {};
  const requiredSets: string[][] = [];
  for (const m of members) {
    for (const [k, v] of Object.entries((m.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      properties[k] ??= toStructural(v);
    }
    requiredSets.push((m.required as string[] | undefined) ?? []);
  }
  const required = isUnion
    ? requiredSets.reduce((acc, r) => acc.filter((k) => r.includes(k)), requiredSets[0] ?? [])
    : [...new Set(requiredSets.flat())];
  return {
    type: 'object',
    ...(Object.keys(properties).length ? { properties } : { [preserve]: true }),
    ...(required.length ? { required } : {}),
  };
}

function jsonType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : 'string';
}

function pick(o: JsonSchema, ...keys: string[]): JsonSchema {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** The API server compiles patterns with Go's RE2: no lookaround, no backreferences. */
function isRe2Compatible(pattern: string): boolean {
  return !/\(\?[=!<]|\\[1-9]/.test(pattern);
}
