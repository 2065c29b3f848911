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
  walk(schema, value, at, options, out);
  return out;
}

function walk(schema: TSchema, value: unknown, at: Step, options: UnknownFieldOptions, out: UnknownField[]) {
  if (value === null || typeof value !== 'object' || options.leaveAlone?.(at.pointer)) return;
  switch (schema[Kind]) {
    case 'Object': {
      if (Array.isArray(value) || schema['x-kubernetes-preserve-unknown-fields'] === true) return;
      if (schema.additionalProperties === false) return;
      const properties = (schema.properties ?? {}) as Record<string, TSchema>;
      const extra = options.knownAt?.[at.pointer];
      for (const written of Object.keys(value)) {
        const key = options.normalizeKey?.(at.pointer, written) ?? written;
        const child: Step = {
          pointer: `${at.pointer}/${pointerSegment(written)}`,
          display: `${at.display}.${written}`,
        };
        const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
        if (property) {
          walk(property, (value as Record<string, unknown>)[written], child, options, out);
        } else if (!extra?.includes(key)) {
          let meant = closestMatch(key, [...Object.keys(properties), ...(extra ?? [])]);
          // Suggest in the spelling the user writes in (Host tls: caSecret, not ca_secret).
          if (meant && key !== written) meant = camelCase(meant);
          out.push({ path: child.pointer, display: child.display, ...(meant ? { meant } : {}) });
        }
      }
      return;
    }
    case 'Record': {
      if (Array.isArray(value)) return;
      const valueSchema = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)[0];
      if (!valueSchema) return;
      for (const [key, item] of Object.entries(value)) {
        walk(
          valueSchema,
          item,
          { pointer: `${at.pointer}/${pointerSegment(key)}`, display: `${at.display}.${key}` },
          options,
          out,
        );
      }
      return;
    }
    case 'Array': {
      if (!Array.isArray(value)) return;
      value.forEach((item, i) => {
        walk(
          schema.items as TSchema,
          item,
          { pointer: `${at.pointer}/${i}`, display: `${at.display}[${i}]` },
          options,
          out,
        );
      });
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

/** 'ca_secret' → 'caSecret'. */
function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
