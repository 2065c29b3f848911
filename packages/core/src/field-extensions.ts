import type { TSchema } from '@sinclair/typebox';
import type { PlainJsonSchema } from './json-schema-config.js';
import type { PassContext } from './plugin.js';
import type { ResourceKind, ResourceRef, StoredResource } from './resource.js';

/**
 * A field of a kind another plugin owns, claimed by a feature plugin: Mapping
 * `bypass_auth` is read by feature-auth although `http` owns Mapping. The kind's
 * owner treats claimed fields as known (no "unknown field" warning) and leaves
 * their meaning and validation to the claimant.
 */
export interface FieldExtension {
  /** The kind, qualified by group: 'getambassador.io/Mapping'. */
  kind: ResourceKind;
  /** JSON pointer from the resource root: '/spec/bypass_auth', '/spec/config/add_linkerd_headers'. */
  path: string;
  /** The value's schema, for CRDs and docs; the claimant validates the value in its own pass. */
  schema?: TSchema | PlainJsonSchema;
  /** One line for docs and CRD descriptions. */
  description?: string;
}

/** A field as a pass sees it: who implements it and whether that plugin is loaded. */
export interface RegisteredField {
  path: string;
  /** The plugin that implements the field. */
  plugin: string;
  /** False when only the kind's owner named the plugin (`reg.delegateFields`) and it is not loaded. */
  loaded: boolean;
  schema?: TSchema | PlainJsonSchema;
  description?: string;
}

/** 'bypass_auth', 'config.add_linkerd_headers': a pointer below /spec as people write it. */
function fieldLabel(path: string): string {
  return path
    .replace(/^\/spec\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** The decoded keys of a field's pointer, by pointer: fields are few, resources many (each Mapping reads every one). */
const keysByPath = new Map<string, readonly string[]>();

function keysOf(path: string): readonly string[] {
  let keys = keysByPath.get(path);
  if (keys === undefined) {
    keys = path
      .split('/')
      .slice(1)
      .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
    keysByPath.set(path, keys);
  }
  return keys;
}

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let at: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
    if (!Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The fields of a kind that no loaded plugin implements, with their decoded keys. */
interface UnloadedField {
  field: RegisteredField;
  keys: readonly string[];
}

/** By a kind's field list (the pipeline's, one array per kind): the same list for every resource of the kind. */
const unloadedByFields = new WeakMap<readonly RegisteredField[], readonly UnloadedField[]>();

function unloadedFields(fields: readonly RegisteredField[]): readonly UnloadedField[] {
  if (fields.length === 0) return [];
  let unloaded = unloadedByFields.get(fields);
  if (unloaded === undefined) {
    unloaded = fields.filter((field) => !field.loaded).map((field) => ({ field, keys: keysOf(field.path) }));
    unloadedByFields.set(fields, unloaded);
  }
  return unloaded;
}

/**
 * For the owner of a kind, after it decided the resource is its to compile:
 * FIELD_NEEDS_PLUGIN on every field the resource sets that a plugin this
 * distribution does not load would implement. The field is then ignored, and
 * the user is told which plugin gives it meaning instead of losing it silently.
 */
export function reportFieldsNeedingPlugins(
  ctx: PassContext<unknown>,
  kind: ResourceKind,
  stored: StoredResource,
  ref: ResourceRef,
): void {
  const unloaded = unloadedFields(ctx.fields(kind));
  for (let i = 0; i < unloaded.length; i++) {
    const { field, keys } = unloaded[i]!;
    if (valueAt(stored.resource, keys) === undefined) continue;
    const label = fieldLabel(field.path);
    ctx.report({
      code: 'FIELD_NEEDS_PLUGIN',
      resource: ref,
      path: field.path,
      message: `field ${label} needs the ${field.plugin} plugin, which is not loaded, so it is ignored; add the plugin to attache.yaml (plugins: - id: ${field.plugin}) or remove ${label}`,
    });
  }
}

/** Known keys by parent pointer, for an unknown-field walker: {'/spec': ['bypass_auth']}. */
export function fieldsByParent(fields: readonly RegisteredField[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const field of fields) {
    const cut = field.path.lastIndexOf('/');
    const parent = field.path.slice(0, cut);
    const key = field.path
      .slice(cut + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    const keys = out[parent] ?? [];
    keys.push(key);
    out[parent] = keys;
  }
  return out;
}
