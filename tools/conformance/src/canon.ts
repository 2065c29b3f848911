import { durationMs, type Json, sortKeys } from '@attache/explain';

/**
 * Canonical form of a raw Envoy fragment for comparison: durations in
 * milliseconds, {value: x} wrappers unwrapped, nulls and empty containers
 * dropped, '@type' dropped (the field set already says what it is), keys sorted.
 */
export function canon(value: unknown): unknown {
  return sortKeys(canonInner(value));
}

function canonInner(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonInner).filter((v) => v !== undefined);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![0] === 'value') return canonInner(entries[0]![1]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      // '@type' is implied by the field; google_re2 only bounds program size, never what matches.
      if (k === '@type' || k === 'google_re2') continue;
      const c = canonInner(v);
      // proto3: an empty repeated field is the same as an absent one.
      if (c === undefined || (Array.isArray(c) && c.length === 0)) continue;
      out[k] = c;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?s$/.test(value)) return `${durationMs(value)}ms`;
  return value;
}

/** Removes fields equal to Envoy's default (given as a partial object of defaults), recursively. */
export function dropDefaults(value: unknown, defaults: Record<string, unknown>): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const d = defaults[k];
    if (d === undefined) {
      out[k] = v;
      continue;
    }
    if (
      d !== null &&
      typeof d === 'object' &&
      !Array.isArray(d) &&
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v)
    ) {
      const inner = dropDefaults(v, d as Record<string, unknown>);
      if (inner !== undefined && Object.keys(inner as object).length > 0) out[k] = inner;
      continue;
    }
    if (JSON.stringify(canon(v)) !== JSON.stringify(canon(d))) out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export type { Json };
