import { buildAdsBootstrap } from '../bootstrap.js';
import { compileIR, readIR } from './golden.js';

/** Test helpers: JSON documents to validate, and the invalid shapes made from them. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Every resource lowered from the full IR fixture, and an ADS bootstrap. */
export const validationFixtures = (): JsonObject[] => [
  ...Object.values(compileIR(readIR('full-ir.in.yaml')).xds)
    .flat()
    .map((r) => r.resource as JsonObject),
  {
    '@type': 'type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap',
    ...(buildAdsBootstrap({
      node: { id: 'n', cluster: 'c' },
      ads: { host: '127.0.0.1', port: 18000 },
    }) as JsonObject),
  },
];

type Path = Array<string | number>;

/** Every path inside a document (the root's is []). */
function pathsOf(root: JsonObject): Path[] {
  const paths: Path[] = [];
  const walk = (value: JsonValue, path: Path) => {
    paths.push(path);
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(root, []);
  return paths;
}

/** What a value is replaced by: wrong types, empty and out-of-range values (undefined: removed). */
function replacements(value: JsonValue): Array<JsonValue | undefined> {
  const wrong: JsonValue[] =
    typeof value === 'string'
      ? ['', 'x\ny', 70000]
      : typeof value === 'number'
        ? [0, 70000, 4294967296, 1.5, '12']
        : typeof value === 'boolean'
          ? ['true']
          : Array.isArray(value)
            ? [[], [null]]
            : value && typeof value === 'object'
              ? [{}, { unknown_field: 1 }]
              : [];
  return [...wrong, undefined];
}

function at(root: JsonValue, path: Path): JsonValue {
  return path.reduce<JsonValue>((v, k) => (v as Record<string | number, JsonValue>)[k]!, root);
}

/** A copy of `root` with the value at `path` replaced (or removed, for undefined). */
function replaced(root: JsonObject, path: Path, replacement: JsonValue | undefined): JsonObject {
  const copy = structuredClone(root);
  const parent = at(copy, path.slice(0, -1)) as JsonValue[] | JsonObject;
  const key = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else (parent as Record<string | number, JsonValue>)[key] = replacement;
  return copy;
}

/** Every single-point mutation of a JSON document: the shapes a producer bug or a user typo would make. */
export function* mutations(root: JsonObject): Generator<JsonObject> {
  for (const path of pathsOf(root)) {
    if (path.length === 0 || path.at(-1) === '@type') continue;
    for (const replacement of replacements(at(root, path))) yield replaced(root, path, replacement);
  }
}

/** A small seeded generator (mulberry32): the same sequence on every run. */
export { seededRandom } from '@attache/core';

/** `count` mutations of `root` at 1 to `maxPoints` random places each, from `random`. */
export function* randomMutations(
  root: JsonObject,
  random: () => number,
  count: number,
  maxPoints = 3,
): Generator<JsonObject> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let i = 0; i < count; i++) {
    let doc = root;
    const points = 1 + Math.floor(random() * maxPoints);
    for (let p = 0; p < points; p++) {
      const paths = pathsOf(doc).filter((path) => path.length > 0 && path.at(-1) !== '@type');
      if (paths.length === 0) break;
      const path = pick(paths);
      doc = replaced(doc, path, pick(replacements(at(doc, path))));
    }
    yield doc;
  }
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Mutations that add keys rather than change values: a key of the next item of the same list
 * copied in (two members of one oneof: a route with both `route` and `redirect`), and a key
 * renamed to its JSON name or given twice under both names.
 */
export function* keyMutations(root: JsonObject): Generator<JsonObject> {
  for (const path of pathsOf(root)) {
    const value = at(root, path);
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = 0; i + 1 < value.length; i++) {
        const [item, next] = [value[i], value[i + 1]];
        if (!isObject(item) || !isObject(next)) continue;
        for (const key of Object.keys(next)) {
          if (key in item) continue;
          const copy = structuredClone(root);
          (at(copy, [...path, i]) as JsonObject)[key] = structuredClone(next[key]!);
          yield copy;
        }
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!key.includes('_')) continue;
      const renamed = structuredClone(root);
      const target = at(renamed, path) as JsonObject;
      target[camel(key)] = target[key]!;
      yield structuredClone(renamed);
      delete target[key];
      yield renamed;
    }
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Near misses of every fixture: each one's `mutations`, `keyMutations` and `randomCount`
 * `randomMutations` (from `random`, fixture by fixture), in that order.
 */
export function mutationPool(
  fixtures: readonly JsonObject[],
  random: () => number,
  randomCount: number,
): JsonObject[] {
  const pool: JsonObject[] = [];
  for (const json of fixtures) {
    pool.push(...mutations(json), ...keyMutations(json), ...randomMutations(json, random, randomCount));
  }
  return pool;
}
