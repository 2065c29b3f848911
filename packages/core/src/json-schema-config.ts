import { createRequire } from 'node:module';
import { Kind, type TSchema } from '@sinclair/typebox';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Ajv2019 } from 'ajv/dist/2019.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';

// Ajv is loaded the first time a plugin gives a plain JSON Schema: every command that loads
// plugins (attache compile among them) would otherwise pay for three Ajv builds it never uses.
const require = createRequire(import.meta.url);

/**
 * A plain JSON Schema object, as a plugin written without TypeBox gives it
 * (`{ type: 'object', properties: { … } }`). TypeBox schemas are JSON Schema
 * too, marked with TypeBox's `Kind` symbol.
 */
export type PlainJsonSchema = { readonly [keyword: string]: unknown };

/** Whether TypeBox's Value functions understand this schema (it was built with `Type.*`). */
export function isTypeBoxSchema(schema: object): schema is TSchema {
  return Kind in schema;
}

/** One line per problem, as `  /pointer: message`. */
export type SchemaProblems = string[];

export type PlainSchemaResult =
  | { ok: true; value: unknown }
  | { ok: false; problems: SchemaProblems }
  | { ok: false; schemaError: string };

// `format` is not checked (no format vocabulary is loaded); everything else of the draft is,
// and strict mode refuses unknown keywords, so a misspelled `propertes` is an error, not a no-op.
const ajvOptions: Options = {
  allErrors: true,
  useDefaults: true,
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  validateFormats: false,
};

let validators: { draft07: Ajv; draft2019: Ajv2019; draft2020: Ajv2020 } | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/** The validator for the draft the schema names in `$schema` (draft-07 when it names none). */
function validatorFor(schema: object): Ajv | Ajv2019 | Ajv2020 {
  validators ??= {
    draft07: new (require('ajv') as typeof import('ajv')).Ajv(ajvOptions),
    draft2019: new (require('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js')).Ajv2019(ajvOptions),
    draft2020: new (require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(ajvOptions),
  };
  const named = (schema as PlainJsonSchema).$schema;
  const draft = typeof named === 'string' ? named : '';
  if (draft.includes('2020-12')) return validators.draft2020;
  if (draft.includes('2019-09')) return validators.draft2019;
  return validators.draft07;
}

/**
 * Validates `raw` against a plain JSON Schema, filling `default`s; never
 * throws. A schema the validator cannot compile (an unknown keyword, a wrong
 * type name, an unresolvable `$ref`) is a `schemaError`.
 */
export function validatePlainJsonSchema(schema: object, raw: unknown): PlainSchemaResult {
  const { default: rootDefault, ...rest } = schema as PlainJsonSchema;
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      // A root `default` is the config when attache.yaml gives none; Ajv's strict mode
      // would call it ignored (it only fills defaults of properties and items).
      validate = validatorFor(schema).compile(rest);
    } catch (e) {
      return { ok: false, schemaError: (e as Error).message };
    }
    compiled.set(schema, validate);
  }
  const value = structuredClone(raw ?? rootDefault ?? {});
  if (validate(value)) return { ok: true, value };
  return { ok: false, problems: (validate.errors ?? []).map(describeError) };
}

function describeError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const detail =
    e.keyword === 'additionalProperties'
      ? ` ('${String(params.additionalProperty)}')`
      : e.keyword === 'enum'
        ? ` (${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
        : '';
  return `  ${e.instancePath || '/'}: ${e.message ?? e.keyword}${detail}`;
}
