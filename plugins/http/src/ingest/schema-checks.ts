import { Kind, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * What the front door (admit.ts) knows of a kind's schema: its compiled TypeBox check, the
 * declared properties of an open object schema, plain tests for the simple schemas TypeBox would
 * compile to a few comparisons, and the quick "is it valid?" built from them.
 */
const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();
export function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

/** A property an open object schema declares: its schema, and its check once compiled. */
export interface DeclaredProperty {
  readonly schema: TSchema;
  check: TypeCheck<TSchema> | undefined;
  /** simpleCheckOf(schema) once asked (undefined before). */
  simple: ((value: unknown) => boolean) | null | undefined;
}

const declaredMaps = new WeakMap<TSchema, Map<string, DeclaredProperty> | null>();

/**
 * The declared properties of an open object schema (optional properties and no other rule), or
 * null for any other schema. Each property's check is compiled when a spec first sets it: a
 * one-shot compile of 10,000 Mappings sets some 20 of their 62 fields, and compiling a check is
 * ~0.3 ms. The quick check and the clean-spec check share the compiled checks.
 */
export function declaredOf(schema: TSchema): Map<string, DeclaredProperty> | null {
  let declared = declaredMaps.get(schema);
  if (declared !== undefined) return declared;
  declared = null;
  const descriptive = new Set([
    'type',
    'properties',
    'required',
    'additionalProperties',
    'description',
    'title',
  ]);
  if (
    schema[Kind] === 'Object' &&
    schema.type === 'object' &&
    (schema.additionalProperties === undefined || schema.additionalProperties === true) &&
    Object.keys(schema).every((k) => descriptive.has(k))
  ) {
    declared = new Map();
    const properties = schema.properties as Record<string, TSchema>;
    for (const key of Object.keys(properties))
      declared.set(key, { schema: properties[key]!, check: undefined, simple: undefined });
  }
  declaredMaps.set(schema, declared);
  return declared;
}

/**
 * Whether a value passes a declared property's check: said at once for a simple schema (see
 * simpleCheckOf) when the value is of the plain kind it asks for, otherwise by the compiled check
 * (compiled when first needed): compiling one is ~0.3 ms, some 6 ms of a compile at any size.
 */
export function passes(property: DeclaredProperty, value: unknown): boolean {
  let simple = property.simple;
  if (simple === undefined) {
    simple = simpleCheckOf(property.schema);
    property.simple = simple;
  }
  return simple?.(value) === true || checkOf(property).Check(value);
}

const simpleChecks = new WeakMap<TSchema, ((value: unknown) => boolean) | null>();

/**
 * For a schema TypeBox compiles to a few plain tests (a string with length bounds, an integer or
 * number with bounds, a boolean, anything, a map of names to such values), those tests, written
 * here: true only where TypeBox's compiled check says true (compiler.ts FromString, FromInteger,
 * FromNumber, FromBoolean, FromUnknown, FromRecord with the default policies). A false is not a
 * verdict: the compiled check then decides. Null for any other schema.
 */
export function simpleCheckOf(schema: TSchema): ((value: unknown) => boolean) | null {
  let check = simpleChecks.get(schema);
  if (check === undefined) {
    check = simpleCheck(schema);
    simpleChecks.set(schema, check);
  }
  return check;
}

/** Keys that change nothing TypeBox checks. */
const annotationKeys = new Set([
  'type',
  'description',
  'title',
  'default',
  'x-kubernetes-preserve-unknown-fields',
]);

/** Whether a schema has no key but annotations and `allowed`. */
function onlyKeys(schema: TSchema, allowed: readonly string[]): boolean {
  return Object.keys(schema).every((k) => annotationKeys.has(k) || allowed.includes(k));
}

const numberOrUndefined = (n: unknown): number | undefined => (typeof n === 'number' ? n : undefined);

function simpleCheck(schema: TSchema): ((value: unknown) => boolean) | null {
  const kind = schema[Kind];
  if (kind === 'Unknown') return onlyKeys(schema, []) ? () => true : null;
  if (kind === 'Boolean') return onlyKeys(schema, []) ? (v) => typeof v === 'boolean' : null;
  if (kind === 'String') {
    // `enum` is not read by TypeBox (StringEnum gives the same list as a pattern, which is).
    if (!onlyKeys(schema, ['minLength', 'maxLength', 'pattern', 'enum']) || schema.format !== undefined)
      return null;
    const min = numberOrUndefined(schema.minLength) ?? 0;
    const max = numberOrUndefined(schema.maxLength) ?? Number.POSITIVE_INFINITY;
    const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern as string);
    return (v) =>
      typeof v === 'string' &&
      v.length >= min &&
      v.length <= max &&
      (pattern === undefined || pattern.test(v));
  }
  if (kind === 'Array') {
    if (!onlyKeys(schema, ['items'])) return null;
    const items = simpleCheckOf(schema.items as TSchema);
    if (items === null) return null;
    return (v) => {
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) if (!items(v[i])) return false;
      return true;
    };
  }
  if (kind === 'Object') {
    if (!onlyKeys(schema, ['properties', 'required']) || schema.additionalProperties !== undefined)
      return null;
    const properties = (schema.properties ?? {}) as Record<string, TSchema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const members: Array<{ key: string; required: boolean; check: (value: unknown) => boolean }> = [];
    for (const key of Object.keys(properties)) {
      const check = simpleCheckOf(properties[key]!);
      if (check === null) return null;
      members.push({ key, required: required.has(key), check });
    }
    // TypeBox reads each declared property (an absent optional one passes); other keys pass.
    return (v) => {
      if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (let i = 0; i < members.length; i++) {
        const member = members[i]!;
        const value = (v as Record<string, unknown>)[member.key];
        if (value === undefined ? member.required : !member.check(value)) return false;
      }
      return true;
    };
  }
  if (kind === 'Integer' || kind === 'Number') {
    if (!onlyKeys(schema, ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])) return null;
    const integer = kind === 'Integer';
    const min = numberOrUndefined(schema.minimum) ?? Number.NEGATIVE_INFINITY;
    const max = numberOrUndefined(schema.maximum) ?? Number.POSITIVE_INFINITY;
    const above = numberOrUndefined(schema.exclusiveMinimum) ?? Number.NEGATIVE_INFINITY;
    const below = numberOrUndefined(schema.exclusiveMaximum) ?? Number.POSITIVE_INFINITY;
    return (v) =>
      (integer ? Number.isInteger(v) : Number.isFinite(v)) &&
      (v as number) >= min &&
      (v as number) <= max &&
      (v as number) > above &&
      (v as number) < below;
  }
  if (kind === 'Record') {
    if (!onlyKeys(schema, ['patternProperties'])) return null;
    const patterns = Object.entries((schema.patternProperties ?? {}) as Record<string, TSchema>);
    if (patterns.length !== 1) return null;
    const [pattern, valueSchema] = patterns[0]!;
    const values = simpleCheckOf(valueSchema);
    if (values === null) return null;
    const keys = new RegExp(pattern);
    // A plain object (no Date, typed array or other class); keys the pattern does not take pass
    // (no additionalProperties), those it takes need a passing value.
    return (v) => {
      if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        if (keys.test(key) && !values((v as Record<string, unknown>)[key])) return false;
      }
      return true;
    };
  }
  return null;
}

/** A declared property's compiled check (compiled now if no spec set the property before). */
function checkOf(property: DeclaredProperty): TypeCheck<TSchema> {
  let check = property.check;
  if (check === undefined) {
    check = TypeCompiler.Compile(property.schema);
    property.check = check;
  }
  return check;
}

const quickChecks = new WeakMap<TSchema, ((spec: Record<string, unknown>) => boolean) | null>();

/**
 * A faster "is it valid?" for an open object schema: the compiled check reads
 * every declared property (some 70 for a Mapping, most absent), while a spec
 * sets a handful; checking just the present keys and the required ones gives
 * the same verdict for an object with optional properties and no other rule.
 * Null when the schema has any other rule: then only the full check decides. A property's value
 * is judged as the clean-spec walk judges it (passes): a simple check, else the compiled one.
 */
export function quickCheckFor(schema: TSchema): ((spec: Record<string, unknown>) => boolean) | null {
  let quick = quickChecks.get(schema);
  if (quick !== undefined) return quick;
  quick = null;
  const declared = declaredOf(schema);
  if (declared !== null) {
    const required = (schema.required as string[] | undefined) ?? [];
    quick = (spec) => {
      for (const key of required) if (spec[key] === undefined) return false;
      for (const key in spec) {
        if (!Object.hasOwn(spec, key)) continue;
        const value = spec[key];
        if (value === undefined) continue;
        const property = declared.get(key);
        if (property === undefined) continue;
        if (!passes(property, value)) return false;
      }
      return true;
    };
  }
  quickChecks.set(schema, quick);
  return quick;
}

/** The compiled schema's verdict, reached by the quick check when it can say "valid". */
export function isValid(schema: TSchema, spec: Record<string, unknown>): boolean {
  return quickCheckFor(schema)?.(spec) === true || checkerFor(schema).Check(spec);
}
