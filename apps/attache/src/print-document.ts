import { sortKeys } from '@attache/core';

/**
 * What `sortKeys` gives, for JSON.stringify: plain objects whose keys are already in order,
 * and arrays none of whose items change, are used as they are instead of copied (two thirds
 * of a lowered Envoy resource's objects are). Anything else (an object with toJSON, a class
 * instance) goes through sortKeys itself, so the text is the same.
 */
export function sortedView(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value) && !('toJSON' in value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue;
      const item = value[i];
      const view = sortedView(item);
      if (view !== item) {
        copy ??= value.slice();
        copy[i] = view;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return sortKeys(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      inOrder = false;
      break;
    }
  }
  let changed = !inOrder;
  const views: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const item = record[keys[i]!];
    const view = sortedView(item);
    views[i] = view;
    if (view !== item) changed = true;
  }
  if (!changed) return value;
  const order = keys.map((_, i) => i);
  if (!inOrder) order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const i of order) if (views[i] !== undefined) out[keys[i]!] = views[i];
  return out;
}

/**
 * `canonicalJson(document, 2)` of a document of lists (Envoy resources by
 * type URL), written in pieces: one resource serialised at a time, instead
 * of a sorted copy of everything and one string of tens of megabytes at
 * 10,000 Mappings. The bytes are the same (a test compares them).
 */
export function* canonicalDocumentChunks(
  document: Readonly<Record<string, readonly unknown[]>>,
): Generator<string> {
  const keys = Object.keys(document)
    .filter((key) => document[key] !== undefined)
    .sort();
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const list = document[key]!;
    const end = k < keys.length - 1 ? ',\n' : '\n';
    if (list.length === 0) {
      yield `  ${JSON.stringify(key)}: []${end}`;
      continue;
    }
    yield `  ${JSON.stringify(key)}: [\n`;
    for (let i = 0; i < list.length; i++) {
      // The item as JSON.stringify indents it two levels down: inside '[\n  [\n    ' and '\n  ]\n]'.
      const nested = JSON.stringify([[sortedView(list[i])]], null, 2);
      const item = nested.slice(10, nested.length - 6);
      yield `    ${item}${i < list.length - 1 ? ',' : ''}\n`;
    }
    yield `  ]${end}`;
  }
  yield '}\n';
}

/** Joins small pieces into writes of about `size` characters: fewer system calls than one per piece. */
export function writeInBatches(
  chunks: Iterable<string>,
  write: (text: string) => void,
  size = 1 << 16,
): void {
  for (const text of inBatches(chunks, size)) write(text);
}

/** The pieces joined into strings of about `size` characters. */
export function* inBatches(chunks: Iterable<string>, size = 1 << 16): Generator<string> {
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= size) {
      yield pending;
      pending = '';
    }
  }
  if (pending.length > 0) yield pending;
}
