import { isPlainObject, type ResourceRef, type XdsTypeUrl } from '@attache/core';

/** proto3-JSON object as lowering builds it (proto field names). */
export type Json = Record<string, unknown>;

/**
 * A part of a lowered resource that can be blamed (and possibly dropped) on
 * its own when validation fails inside it: a route, a filter chain.
 */
export interface ResourcePart {
  /** JSON pointer of the part inside the resource. */
  pointer: string;
  /** How messages name it: "route 'default/quote'". */
  label: string;
  provenance: ResourceRef[];
  /** Whether leaving this part out keeps the rest meaningful (a route: yes; an auth filter: never). */
  droppable: boolean;
}

/** One Envoy resource produced by lowering, before validation. */
export interface LoweredResource {
  typeUrl: XdsTypeUrl;
  name: string;
  /** proto3-JSON with '@type'. */
  resource: Json;
  /** The refs behind the resource as a whole (not counting droppable parts). */
  provenance: ResourceRef[];
  parts: ResourcePart[];
}

export const typeUrl = (typeName: string): string => `type.googleapis.com/${typeName}`;

/**
 * Drops keys whose value is undefined, so optional IR fields leave no trace
 * in the output. Builds a new object rather than deleting keys: objects that
 * lose properties turn slow for everything that reads them later.
 */
export function defined<T extends Json>(object: T): T {
  const out: Json = {};
  for (const key in object) {
    const value = object[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * `first`'s keys, then the defined keys of `rest`, in that order. Used
 * instead of `defined({ ...first, a, b, … })`: V8 builds an object literal
 * that starts with a spread and goes on with many keys on a slow runtime path
 * (tens of µs), and routes are lowered by the ten thousand.
 */
export function definedAfter(first: Json, rest: Json): Json {
  const out: Json = {};
  for (const key in first) out[key] = first[key];
  for (const key in rest) {
    const value = rest[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The texts of whole seconds up to this many, made once: a config repeats a few timeouts
 * ("3s", "15s") thousands of times, and each `${seconds}s` would be a new string kept until
 * printing (a route's timeout, a cluster's connect_timeout).
 */
const sharedSecondTexts = 3600;
const secondTexts: (string | undefined)[] = new Array(sharedSecondTexts + 1);

/** Milliseconds → proto3-JSON Duration ('1.5s'). */
export function duration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const seconds = Math.floor(ms / 1000);
  if (seconds * 1000 === ms && seconds >= 0 && seconds <= sharedSecondTexts) {
    // (The text the plain computation below gives: `ms` is a whole number of seconds here.)
    let text = secondTexts[seconds];
    if (text === undefined) {
      text = `${seconds}s`;
      secondTexts[seconds] = text;
    }
    return text;
  }
  const rest = ms - seconds * 1000;
  return rest === 0
    ? `${seconds}s`
    : `${seconds}.${String(Math.round(rest * 1e6))
        .padStart(9, '0')
        .replace(/0+$/, '')}s`;
}

export function seconds(s: number | undefined): string | undefined {
  return s === undefined ? undefined : duration(s * 1000);
}

export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

/** Config source for everything fetched over the ADS stream itself. */
export function adsConfigSource(): Json {
  return { ads: {}, resource_api_version: 'V3' };
}

export function nonEmpty<T>(list: readonly T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

/** Sorted copy of a string list, or undefined when empty. */
export function sortedStrings(list: readonly string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : undefined;
}

/** A copy of a record with its keys in code-unit order: map fields reach Envoy sorted. */
export function sortedRecord<T>(record: Record<string, T> | undefined): Record<string, T> | undefined {
  if (!record) return undefined;
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = record[key]!;
  return out;
}

/**
 * Deep-merges `extra` (proto3-JSON from a plugin) over `base`: objects merge
 * key by key, anything else in `extra` replaces what lowering generated.
 */
export function mergeExtra(base: Json, extra: Json | undefined): Json {
  if (!extra) return base;
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeExtra(current, value) : value;
  }
  return out;
}
