/**
 * Envoy config arrives in two spellings: proto3 canonical JSON (lowerCamelCase,
 * what our lowering emits) and proto field names (snake_case, what Emissary and
 * most Envoy docs write). The model reads one spelling only, so everything is
 * folded to snake_case first.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function toSnakeKeys(value: unknown): Json {
  if (Array.isArray(value)) return value.map(toSnakeKeys);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) out[snakeKey(key)] = toSnakeKeys(v);
    return out;
  }
  if (value === undefined) return null;
  return value as Json;
}

/**
 * Only plain camelCase field names are converted: keys holding a dot or an '@'
 * are names (filter names in typed_per_filter_config, '@type'), not fields.
 */
function snakeKey(key: string): string {
  if (key.includes('.') || key.startsWith('@') || !/[A-Z]/.test(key)) return key;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function obj(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

export function arr(value: unknown): Json[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  // proto3 JSON writes 64-bit integers as strings.
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** UInt32Value / BoolValue wrappers come either bare or as {value: …}. */
export function unwrap(value: unknown): unknown {
  if (isObject(value) && Object.keys(value).length === 1 && 'value' in value) return value.value;
  return value;
}

/** Duration as milliseconds: "3s", "3.000s", "0.5s", {seconds, nanos}. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(value.trim());
    return m ? Math.round(Number(m[1]) * 1000) : undefined;
  }
  if (isObject(value)) {
    const seconds = num(value.seconds) ?? 0;
    const nanos = num(value.nanos) ?? 0;
    return Math.round(seconds * 1000 + nanos / 1e6);
  }
  return undefined;
}

/** Stable JSON with sorted keys, for comparisons and messages. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
