/** A JSON-like object: not null, not an array (the check every reader of parsed or generated JSON needs). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
