import { Kind, type TSchema } from '@sinclair/typebox';
import { type DeclaredProperty, declaredOf, passes } from './schema-checks.js';
import { propertiesOf } from './unknown-fields.js';

/** A cheap first look: below U+0020, or in the surrogate or U+FFFD range. Most strings have none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const suspicious = /[\u0000-\u001f\ud800-\udfff\ufffd]/;

/** A spec's own fields copied into a record as they are walked (see cleanSpecCheck). */
export interface SpecRecord {
  /** The fields copied (the record's own keys); other keys are left out. */
  keys: ReadonlySet<string>;
  /** A record with every one of `keys` undefined (one shape for every spec). */
  make(): Record<string, unknown>;
}

/**
 * Whether a spec passes the front door with nothing to say, found in one walk over its keys:
 * every key declared (no unknown field, here or below, and no extension field), no key or
 * string anywhere holding a character reportBadStrings looks at (tab and line breaks
 * included: such a spec takes the full path, which decides), and the quick check's verdict
 * "valid". When true, the full path would report no unknown field and no bad string and find
 * the spec valid; when false, it is asked. The spec's fields named by `record` are copied into
 * `into` on the way (only complete when true). Null for a schema quickCheckFor cannot judge.
 *
 * Why: the full path walks a spec's keys four times (unknown fields, bad strings, the quick
 * check, the http plugin's field record), each a megamorphic keyed read on 10,000 Mappings of
 * hundreds of shapes, and allocates a walk position and two lists per resource.
 */
export function cleanSpecCheck(
  schema: TSchema,
  record?: SpecRecord,
): ((spec: Record<string, unknown>, into?: Record<string, unknown>) => boolean) | null {
  const declared = declaredOf(schema);
  if (declared === null) return null;
  const required = (schema.required as string[] | undefined) ?? [];
  // The declared properties with whether the record has them: one lookup per key written.
  const entries = new Map<string, { property: DeclaredProperty; copied: boolean }>();
  declared.forEach((property, key) => {
    entries.set(key, { property, copied: record?.keys.has(key) === true });
  });
  return (spec, into) => {
    for (let i = 0; i < required.length; i++) if (spec[required[i]!] === undefined) return false;
    for (const key in spec) {
      if (!Object.hasOwn(spec, key)) continue;
      // A declared key is a schema name: no odd character in it (others take the full path).
      const entry = entries.get(key);
      if (entry === undefined) return false;
      const value = spec[key];
      if (typeof value === 'string') {
        if (suspicious.test(value)) return false;
      } else if (value !== null && typeof value === 'object') {
        if (!cleanValue(entry.property.schema, value)) return false;
      }
      // The property's simple test, once known, said here (no call to passes for nearly every
      // field); passes decides the rest, and makes the simple test when first asked.
      if (value !== undefined) {
        const simple = entry.property.simple;
        if (!(simple != null && simple(value) === true) && !passes(entry.property, value)) return false;
      }
      if (entry.copied && into !== undefined) into[key] = value;
    }
    return true;
  };
}

/** A map schema's value schema when unknownFields walks into its values (not unknown, not a string). */
const walkedValues = new WeakMap<TSchema, TSchema | null>();
function walkedValuesOf(schema: TSchema): TSchema | undefined {
  let values = walkedValues.get(schema);
  if (values === undefined) {
    const valueSchema = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)[0];
    values =
      valueSchema && valueSchema[Kind] !== 'Unknown' && valueSchema[Kind] !== 'String' ? valueSchema : null;
    walkedValues.set(schema, values);
  }
  return values ?? undefined;
}

/**
 * No key or string in `value` (a spec field's value) that `suspicious` finds, and no key that
 * unknownFields would report where `schema` says what is known (undefined: nothing is said
 * there, only strings are looked at). Follows unknownFields' walk (without its options, which
 * only ever report less): declared properties of objects, typed map values, list items, the one
 * union branch of the value's shape.
 */
function cleanValue(schema: TSchema | undefined, value: unknown): boolean {
  if (typeof value === 'string') return !suspicious.test(value);
  if (value === null || typeof value !== 'object') return true;
  if (schema !== undefined && schema[Kind] === 'Union') {
    const shape = Array.isArray(value) ? 'Array' : undefined;
    let branch: TSchema | undefined;
    let branches = 0;
    for (const b of schema.anyOf as TSchema[]) {
      const kind = b[Kind];
      if (shape === 'Array' ? kind === 'Array' : kind === 'Object' || kind === 'Record') {
        branch = b;
        branches++;
      }
    }
    schema = branches === 1 ? branch : undefined;
  }
  if (Array.isArray(value)) {
    const items = schema !== undefined && schema[Kind] === 'Array' ? (schema.items as TSchema) : undefined;
    for (let i = 0; i < value.length; i++) if (!cleanValue(items, value[i])) return false;
    return true;
  }
  let properties: Map<string, TSchema> | undefined;
  let values: TSchema | undefined;
  if (schema !== undefined) {
    const kind = schema[Kind];
    if (
      kind === 'Object' &&
      schema['x-kubernetes-preserve-unknown-fields'] !== true &&
      schema.additionalProperties !== false
    )
      properties = propertiesOf(schema);
    else if (kind === 'Record') values = walkedValuesOf(schema);
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (suspicious.test(key)) return false;
    let child = values;
    if (properties !== undefined) {
      child = properties.get(key);
      if (child === undefined) return false;
    }
    if (!cleanValue(child, (value as Record<string, unknown>)[key])) return false;
  }
  return true;
}
