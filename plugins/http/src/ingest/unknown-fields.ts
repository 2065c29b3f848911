import { closestMatch, pointerSegment } from '@attache/core';
import { Kind, type TSchema } from '@sinclair/typebox';

/** One field the schema does not know, where it is, and the known field it most likely meant. */
export interface UnknownField {
  /** JSON pointer from the resource root, e.g. '/spec/timout_ms'. */
  path: string;
  /** The same path for messages: 'spec.load_balancer.polcy', 'spec.circuit_breakers[0].max_conections'. */
  display: string;
  meant?: string;
}

export interface UnknownFieldOptions {
  /**
   * Keys accepted at a pointer although the schema does not declare them,
   * because another check speaks for them (the Module keys without effect).
   */
  knownAt?: Readonly<Record<string, readonly string[]>>;
  /** Places another check already judges key by key (Module ip_allow entries): not walked. */
  leaveAlone?: (pointer: string) => boolean;
  /** The spelling the schema uses for a key written at a pointer (Host tls takes camelCase too). */
  normalizeKey?: (pointer: string, key: string) => string;
}

interface Step {
  pointer: string;
  display: string;
}

/** Where the walk is: the resource-root step and the keys below it (strings are built only for a report). */
interface Position {
  root: Step;
  keys: Array<string | number>;
}

function stepAt(position: Position): Step {
  let pointer = position.root.pointer;
  let display = position.root.display;
  for (const key of position.keys) {
    pointer += `/${pointerSegment(String(key))}`;
    display += typeof key === 'number' ? `[${key}]` : `.${key}`;
  }
  return { pointer, display };
}

/**
 * Every key of `value` that `schema` does not declare, walking nested objects,
 * lists and maps. Free-form places are left alone: objects marked
 * `x-kubernetes-preserve-unknown-fields` (Envoy passthrough, rate-limit
 * labels), map values typed unknown (header additions), and objects with
 * `additionalProperties: false`, whose extra keys the schema check already
 * reports as errors.
 */
export function unknownFields(
  schema: TSchema,
  value: unknown,
  at: Step,
  options: UnknownFieldOptions = {},
): UnknownField[] {
  const out: UnknownField[] = [];
  walk(schema, value, { root: at, keys: [] }, options, out);
  return out;
}

function walk(
  schema: TSchema,
  value: unknown,
  at: Position,
  options: UnknownFieldOptions,
  out: UnknownField[],
) {
  if (value === null || typeof value !== 'object') return;
  // Pointers are only built when a caller asks about places (knownAt only for a key not declared).
  let pointer = options.leaveAlone || options.normalizeKey ? stepAt(at).pointer : undefined;
  if (pointer !== undefined && options.leaveAlone?.(pointer)) return;
  switch (schema[Kind]) {
    case 'Object': {
      if (Array.isArray(value) || schema['x-kubernetes-preserve-unknown-fields'] === true) return;
      if (schema.additionalProperties === false) return;
      const properties = propertiesOf(schema);
      for (const written in value) {
        if (!Object.hasOwn(value, written)) continue;
        const key = options.normalizeKey ? options.normalizeKey(pointer!, written) : written;
        const property = properties.get(key);
        const child = (value as Record<string, unknown>)[written];
        if (property && (child === null || typeof child !== 'object')) continue; // a scalar has no keys
        at.keys.push(written);
        if (property) {
          walk(property, child, at, options, out);
        } else {
          if (pointer === undefined && options.knownAt) {
            at.keys.pop();
            pointer = stepAt(at).pointer;
            at.keys.push(written);
          }
          const extra = pointer === undefined ? undefined : options.knownAt?.[pointer];
          if (!extra?.includes(key)) {
            let meant = closestMatch(key, [...properties.keys(), ...(extra ?? [])]);
            // Suggest in the spelling the user writes in (Host tls: caSecret, not ca_secret).
            if (meant && key !== written) meant = camelCase(meant);
            const step = stepAt(at);
            out.push({ path: step.pointer, display: step.display, ...(meant ? { meant } : {}) });
          }
        }
        at.keys.pop();
      }
      return;
    }
    case 'Record': {
      if (Array.isArray(value)) return;
      const valueSchema = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)[0];
      if (!valueSchema || valueSchema[Kind] === 'Unknown' || valueSchema[Kind] === 'String') return;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        at.keys.push(key);
        walk(valueSchema, (value as Record<string, unknown>)[key], at, options, out);
        at.keys.pop();
      }
      return;
    }
    case 'Array': {
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        at.keys.push(i);
        walk(schema.items as TSchema, value[i], at, options, out);
        at.keys.pop();
      }
      return;
    }
    case 'Union': {
      // Walk the one branch of the value's shape; with several, the value is ambiguous: leave it.
      const shape = Array.isArray(value) ? ['Array'] : ['Object', 'Record'];
      const branches = (schema.anyOf as TSchema[]).filter((b) => shape.includes(b[Kind] as string));
      if (branches.length === 1) walk(branches[0]!, value, at, options, out);
      return;
    }
    default:
      return;
  }
}

// A schema's properties as a Map (schemas are shared and never change): a lookup per key
// written costs less than own-property checks on a schema's properties object of many keys.
const propertyMaps = new WeakMap<TSchema, Map<string, TSchema>>();
export function propertiesOf(schema: TSchema): Map<string, TSchema> {
  let map = propertyMaps.get(schema);
  if (map === undefined) {
    map = new Map(Object.entries((schema.properties ?? {}) as Record<string, TSchema>));
    propertyMaps.set(schema, map);
  }
  return map;
}

/** 'ca_secret' → 'caSecret'. */
function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
