import {
  closestMatch,
  describeBadCharacter,
  fieldsByParent,
  jsonPointer,
  type PassContext,
  pointerSegment,
  type RegisteredField,
  type ResourceRef,
  refOf,
  reportFieldsNeedingPlugins,
  type StoredResource,
} from '@attache/core';
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { servesAmbassadorId } from './ambassador-id.js';
import { cleanSpecCheck, type SpecRecord, suspicious } from './clean-spec.js';
import { checkerFor, isValid } from './schema-checks.js';
import { type UnknownField, type UnknownFieldOptions, unknownFields } from './unknown-fields.js';
import { convertV2Spec } from './v2-convert.js';

/** The getambassador.io versions Attaché reads: v3alpha1, and v2/v1 converted to it. */
const readableVersions = ['v1', 'v2', 'v3alpha1'];

/** The top-level fields of a getambassador.io resource. */
const envelopeFields = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** envelopeFields.includes(key), written out: asked for every key of every resource. */
function isEnvelopeField(key: string): boolean {
  return key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'spec' || key === 'status';
}

export interface Admitted<S> {
  stored: StoredResource;
  ref: ResourceRef;
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  spec: S;
  /**
   * The spec's fields copied into the admitter's record (admitter's `record`), when it came
   * through the clean-spec check; otherwise absent, and the caller makes its record itself.
   */
  fields?: Record<string, unknown> | undefined;
}

/** Fields whose absence has its own code, so Jane sees "add spec.service" rather than a schema dump. */
export type MissingFieldCodes = Record<string, string>;

/** How unknown fields of a kind are found: which keys other checks speak for, and which spellings are the same. */
export interface AdmitFieldOptions extends UnknownFieldOptions {
  /** Resources whose unknown fields are not reported (e.g. Modules that are ignored anyway). */
  skipUnknownFields?: (resource: StoredResource['resource']) => boolean;
}

/**
 * The common front door of every owned kind: ambassador_id filter, v2
 * conversion (with a deprecation note), schema validation. Invalid resources
 * are reported field by field and dropped; everything else carries on.
 */
export function admit<S>(
  ctx: PassContext,
  kind: string,
  schema: TSchema,
  missingCodes: MissingFieldCodes = {},
  fieldOptions: AdmitFieldOptions = {},
): Array<Admitted<S>> {
  const out: Array<Admitted<S>> = [];
  const { salt, one } = admitter<S>(ctx, kind, schema, missingCodes, fieldOptions);
  // Under an incremental compiler an unchanged resource is admitted from memory, diagnostics included.
  const memo = ctx.memo;
  for (const stored of ctx.resources(`getambassador.io/${kind}`)) {
    const admitted = memo ? memo.reuse(stored, salt, () => one(stored)) : one(stored);
    // A copy per compile: later passes may take the labels as their own.
    // Written out rather than spread: one object shape for thousands of resources.
    if (admitted) {
      out.push({
        stored: admitted.stored,
        ref: admitted.ref,
        id: admitted.id,
        name: admitted.name,
        namespace: admitted.namespace,
        labels: { ...admitted.labels },
        spec: admitted.spec,
      });
    }
  }
  return out;
}

/**
 * admit's front door for one resource at a time: `one` gives a resource's
 * Admitted form (a fresh object) or undefined, reporting as admit does; its
 * result depends on the resource and on what `salt` names (the option
 * functions are pure per call site), so a pass that memoises more than
 * admission (ingest-mappings) can key its own memo by the resource with it.
 */
export function admitter<S>(
  ctx: PassContext,
  kind: string,
  schema: TSchema,
  missingCodes: MissingFieldCodes = {},
  fieldOptions: AdmitFieldOptions = {},
  record?: SpecRecord,
): { salt: string; one(stored: StoredResource): Admitted<S> | undefined } {
  const ambassadorId = ctx.options.ambassadorId ?? 'default';
  const qualifiedKind = `getambassador.io/${kind}`;
  // Fields feature plugins implement (Mapping bypass_auth…) are known here, and theirs to judge.
  const extensionFields = ctx.fields(qualifiedKind);
  const unknownFieldOptions = extensionFields.length
    ? withKnownFields(fieldOptions, fieldsByParent(extensionFields))
    : fieldOptions;
  // FIELD_NEEDS_PLUGIN is only for fields whose plugin is not loaded: with none, not asked per resource.
  const anyUnloaded = extensionFields.some((f) => !f.loaded);
  // Options that change what the unknown-field walk looks at (Host, Module) take the full path.
  const clean =
    fieldOptions.leaveAlone === undefined && fieldOptions.normalizeKey === undefined
      ? cleanSpecCheck(schema, record)
      : null;
  const door: FrontDoor = {
    kind,
    schema,
    missingCodes,
    fieldOptions,
    unknownFieldOptions,
    anyUnloaded,
    clean,
    record,
  };
  const one = (stored: StoredResource) => admitOne<S>(ctx, stored, door);
  // JSON.stringify([kind, ambassadorId, extensionFields, missingCodes, knownAt]), with the
  // extension fields' text (their schemas) made once per list: every kind, every compile.
  const salt = ctx.memo
    ? `[${JSON.stringify(kind)},${JSON.stringify(ambassadorId)},${fieldsJson(extensionFields)},${JSON.stringify(missingCodes)},${JSON.stringify(fieldOptions.knownAt ?? null)}]`
    : '';
  return { salt, one };
}

/** JSON.stringify of a kind's registered fields, once per list (the pipeline's, never edited). */
const fieldsTexts = new WeakMap<readonly RegisteredField[], string>();

function fieldsJson(fields: readonly RegisteredField[]): string {
  let text = fieldsTexts.get(fields);
  if (text === undefined) {
    text = JSON.stringify(fields);
    fieldsTexts.set(fields, text);
  }
  return text;
}

/** What admitOne needs of its admitter, made once per pass. */
interface FrontDoor {
  kind: string;
  schema: TSchema;
  missingCodes: MissingFieldCodes;
  fieldOptions: AdmitFieldOptions;
  unknownFieldOptions: AdmitFieldOptions;
  anyUnloaded: boolean;
  clean: ((spec: Record<string, unknown>, into?: Record<string, unknown>) => boolean) | null;
  record: SpecRecord | undefined;
}

/** One resource through the front door: its Admitted form, or undefined (reported, ignored, or not ours). */
function admitOne<S>(ctx: PassContext, stored: StoredResource, door: FrontDoor): Admitted<S> | undefined {
  const ambassadorId = ctx.options.ambassadorId ?? 'default';
  const { kind, schema, missingCodes, fieldOptions, unknownFieldOptions, anyUnloaded } = door;
  {
    const resource = stored.resource;
    const ref = refOf(resource, stored.origin);
    let spec = (resource.spec ?? {}) as Record<string, unknown>;
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      ctx.report({
        code: 'HTTP_SCHEMA_INVALID',
        resource: ref,
        path: '/spec',
        message: `${kind} spec must be an object`,
      });
      return undefined;
    }
    if (!servesAmbassadorId(spec, ambassadorId)) return undefined;
    // The current version (nearly every resource) without slicing it out.
    const version =
      resource.apiVersion === 'getambassador.io/v3alpha1'
        ? 'v3alpha1'
        : resource.apiVersion.slice(resource.apiVersion.indexOf('/') + 1);
    if (version !== 'v3alpha1' && !readableVersions.includes(version)) {
      // Only the current version is worth suggesting: v9 is one edit from v1, which is not what anyone means.
      const meant = closestMatch(version, ['v3alpha1']);
      ctx.report({
        code: 'HTTP_API_VERSION_UNKNOWN',
        resource: ref,
        path: '/apiVersion',
        message: `apiVersion ${resource.apiVersion} is not a version Attaché reads (getambassador.io/v3alpha1, or v2 and v1, which are converted)${meant ? `; did you mean getambassador.io/${meant}?` : '.'} This ${kind} is ignored until apiVersion is fixed`,
      });
      return undefined;
    }
    // A current spec with nothing to report (nearly every one) is judged in one walk, its record
    // filled on the way; any other takes the full path, which reports what it finds.
    let fields: Record<string, unknown> | undefined;
    let clean = false;
    if (door.clean !== null && version === 'v3alpha1' && kind !== 'Host') {
      fields = door.record?.make();
      clean = door.clean(spec, fields);
      if (!clean) fields = undefined;
    }
    if (!fieldOptions.skipUnknownFields?.(resource)) {
      reportUnknownFields(ctx, ref, kind, schema, resource, unknownFieldOptions, clean);
      if (anyUnloaded) reportFieldsNeedingPlugins(ctx, `getambassador.io/${kind}`, stored, ref);
    }
    if (!clean && reportBadStrings(ctx, ref, spec)) return undefined;
    if (resource.apiVersion === 'getambassador.io/v2' || resource.apiVersion === 'getambassador.io/v1') {
      spec = convertV2Spec(kind, spec);
      ctx.report({
        code: 'HTTP_API_VERSION_DEPRECATED',
        resource: ref,
        path: '/apiVersion',
        message: `apiVersion ${resource.apiVersion} is deprecated; change it to getambassador.io/v3alpha1 (this ${kind} was converted)`,
      });
    }
    if (kind === 'Host' && spec.tls && typeof spec.tls === 'object') {
      spec = { ...spec, tls: snakeCaseKeys(spec.tls as Record<string, unknown>) };
    }
    if (!clean && !isValid(schema, spec)) {
      reportSchemaErrors(ctx, ref, kind, checkerFor(schema), spec, missingCodes);
      return undefined;
    }
    const namespace = resource.metadata.namespace ?? 'default';
    const admitted: Admitted<S> = {
      stored,
      ref,
      id: `${namespace}/${resource.metadata.name}`,
      name: resource.metadata.name,
      namespace,
      labels: labelsOf(resource.metadata.labels),
      spec: spec as S,
      // In the literal, undefined or not: a key added after it is a map transition and a property
      // array per resource (10,000 Mappings).
      fields,
    };
    return admitted;
  }
}

/**
 * A resource's labels: the resource's own object when it is a plain one (resources are read,
 * never edited, and so are the labels of the model), one shared frozen empty object when there
 * are none, a copy otherwise. 10,000 Mappings kept one copy each until the output was printed.
 */
function labelsOf(labels: Record<string, string> | undefined): Record<string, string> {
  if (labels === undefined) return noLabels;
  if (typeof labels === 'object' && labels !== null && Object.getPrototypeOf(labels) === Object.prototype)
    return labels;
  return { ...labels };
}

/** The labels of every resource without any (read, never edited: frozen so that an edit throws). */
const noLabels: Record<string, string> = Object.freeze({}) as Record<string, string>;

function withKnownFields(options: AdmitFieldOptions, known: Record<string, string[]>): AdmitFieldOptions {
  const knownAt: Record<string, readonly string[]> = { ...options.knownAt };
  for (const [pointer, keys] of Object.entries(known))
    knownAt[pointer] = [...(knownAt[pointer] ?? []), ...keys];
  return { ...options, knownAt };
}

/**
 * HTTP_FIELD_UNKNOWN for every field the kind's schema does not know, at the
 * top level and anywhere in spec, with the known field it most likely meant.
 * metadata is Kubernetes' own and free-form (labels, annotations, managedFields…).
 */
function reportUnknownFields(
  ctx: PassContext,
  ref: ResourceRef,
  kind: string,
  schema: TSchema,
  resource: StoredResource['resource'],
  options: UnknownFieldOptions,
  specClean = false,
): void {
  const specFields = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  // Made for the first field found: most resources have none (this runs for every resource).
  let found: UnknownField[] | undefined;
  for (const key in resource) {
    if (!Object.hasOwn(resource, key) || isEnvelopeField(key)) continue;
    // A spec field written beside spec (Emissary's flat annotation form) belongs under it.
    const meant = Object.hasOwn(specFields, key) ? `spec.${key}` : closestMatch(key, envelopeFields);
    found ??= [];
    found.push({ path: `/${pointerSegment(key)}`, display: key, ...(meant ? { meant } : {}) });
  }
  // A spec the clean-spec check passed has no unknown field: only the envelope is looked at.
  if (!specClean && resource.spec !== null && typeof resource.spec === 'object') {
    const inSpec = unknownFields(schema, resource.spec, specStep, options);
    if (inSpec.length > 0) {
      found ??= [];
      for (let i = 0; i < inSpec.length; i++) found.push(inSpec[i]!);
    }
  }
  if (found === undefined) return;
  for (const field of found) {
    ctx.report({
      code: 'HTTP_FIELD_UNKNOWN',
      resource: ref,
      path: field.path,
      message: field.meant
        ? `${field.display} is not a ${kind} field: did you mean ${field.meant}? It is ignored until renamed`
        : `${field.display} is not a ${kind} field Attaché knows; it is ignored (see docs/reference for the fields of ${kind})`,
    });
  }
}

/** Where spec's unknown fields are looked for (read only: one object for every resource). */
const specStep = { pointer: '/spec', display: 'spec' } as const;

/**
 * HTTP_STRING_INVALID for a key or string in spec holding NUL, a control
 * character other than tab and line breaks, or invalid Unicode (an unpaired surrogate, or the
 * U+FFFD a decoder leaves for bytes that were not UTF-8): Envoy would refuse
 * such a header name, and no request carries such a path. True when any was
 * found: the resource is then left out whole.
 */
function reportBadStrings(ctx: PassContext, ref: ResourceRef, spec: Record<string, unknown>): boolean {
  // Every resource is looked at first without a key path (no closures or path list per resource):
  // only one holding a bad string is walked again to report where.
  if (!holdsBadString(spec)) return false;
  let found = false;
  const keys: Array<string | number> = [];
  const where = () => ({
    pointer: `/spec${keys.map((k) => `/${pointerSegment(String(k))}`).join('')}`,
    display: `spec${keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`,
  });
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      const bad = suspicious.test(value) ? badCharacterIn(value) : undefined;
      if (bad) {
        found = true;
        const { pointer, display } = where();
        ctx.report({
          code: 'HTTP_STRING_INVALID',
          resource: ref,
          path: pointer,
          message: `${display} holds ${bad}; write it without (save files as UTF-8, spell special characters with the escapes the field allows)`,
        });
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        keys.push(i);
        visit(value[i]);
        keys.pop();
      }
      return;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      keys.push(key);
      const badKey = suspicious.test(key) ? badCharacterIn(key) : undefined;
      if (badKey) {
        found = true;
        const { pointer, display } = where();
        ctx.report({
          code: 'HTTP_STRING_INVALID',
          resource: ref,
          path: pointer,
          message: `the key of ${display} holds ${badKey}; rename it (save files as UTF-8)`,
        });
      } else {
        visit((value as Record<string, unknown>)[key]);
      }
      keys.pop();
    }
  };
  visit(spec);
  return found;
}

/** Whether a key or string anywhere in `value` holds what reportBadStrings reports. */
function holdsBadString(value: unknown): boolean {
  if (typeof value === 'string') return suspicious.test(value) && badCharacterIn(value) !== undefined;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsBadString(value[i])) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (suspicious.test(key) && badCharacterIn(key) !== undefined) return true;
    if (holdsBadString((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/**
 * describeBadCharacter, except for tab, CR and LF, which multi-line fields
 * (Lua scripts, log formats, error bodies) hold by design, and C1 controls;
 * where a line break does not belong, the field's own check says so.
 */
function badCharacterIn(value: string): string | undefined {
  return describeBadCharacter(value.replace(/[\t\n\r\u0080-\u009f]/g, ' '));
}

function reportSchemaErrors(
  ctx: PassContext,
  ref: ResourceRef,
  kind: string,
  check: TypeCheck<TSchema>,
  spec: unknown,
  missingCodes: MissingFieldCodes,
): void {
  const seen = new Set<string>();
  let count = 0;
  for (const error of check.Errors(spec)) {
    const path = `/spec${error.path}`;
    if (seen.has(path)) continue;
    seen.add(path);
    const field = error.path.slice(1).split('/');
    const missing = error.value === undefined && field.length === 1 ? missingCodes[field[0]!] : undefined;
    if (missing) {
      ctx.report({
        code: missing,
        resource: ref,
        path,
        message: `${kind} spec.${field[0]} is required; add it`,
      });
    } else {
      const allowed = (error.schema as { enum?: unknown[] }).enum;
      ctx.report({
        code: 'HTTP_SCHEMA_INVALID',
        resource: ref,
        path,
        message:
          error.value === undefined
            ? `spec${field.map((f) => `.${f}`).join('')} is required; add it`
            : `spec${field.map((f) => `.${f}`).join('')}: ${error.message}${allowed ? ` (one of ${allowed.join(', ')})` : ''}; fix the value`,
      });
    }
    if (++count >= 5) break;
  }
}

export { jsonPointer };

/** Host.tls may be written in camelCase (the CRD's spelling) or snake_case (TLSContext's); Emissary accepts both. */
function snakeCaseKeys(tls: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tls)) {
    out[snakeCaseKey(key)] = value;
  }
  return out;
}

/** 'caSecret' → 'ca_secret'. */
export function snakeCaseKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
