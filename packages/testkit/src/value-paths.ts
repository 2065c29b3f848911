/** A path to a value inside a JSON-like object: object keys and array indexes. */
export type ValuePath = Array<string | number>;

/** Every path to a value inside `value` (objects and arrays walked), the root's `[]` first. */
export function valuePaths(value: unknown, path: ValuePath = []): ValuePath[] {
  const out: ValuePath[] = [path];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...valuePaths(v, [...path, i]));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...valuePaths(v, [...path, k]));
  }
  return out;
}

/** A deep copy of `root` with the value at `path` (non-empty) replaced: one hostile-input mutation. */
export function withValue<T extends Record<string, unknown>>(root: T, path: ValuePath, value: unknown): T {
  const copy = structuredClone(root);
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1) as string | number] = value;
  return copy;
}
