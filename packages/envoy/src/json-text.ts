import { versionHashOfJson } from '@attache/core';
import type { Json } from './lower/index.js';

/**
 * JSON.stringify of RouteConfigurations, reusing the text of route lists
 * already serialized (by object identity): lowering shares them between
 * virtual hosts and route configs, and route tables are most of the
 * bytes a compile hashes. The text is exactly JSON.stringify's, so the
 * version hash does not change. Only for JSON that is not mutated while the
 * cache lives (one lowerAndValidate call).
 */
export class RouteConfigText {
  private readonly texts = new Map<object, string>();
  private readonly digests = new Map<object, string>();

  /**
   * The version hash of a RouteConfiguration: sha256 of its JSON with each
   * route list replaced by that list's own digest (computed once per shared
   * list). Equal content gives equal versions and any change to a route
   * changes its list's digest, so it is as sound as hashing the whole text,
   * while the bytes of a list shared by several virtual hosts and route
   * configs are hashed once instead of in each.
   */
  version(routeConfig: Json): string {
    return versionHashOfJson(
      objectText(routeConfig, (key, value) =>
        key === 'virtual_hosts' && Array.isArray(value)
          ? arrayText(value, (vh) => this.virtualHostDigested(vh))
          : undefined,
      ),
    );
  }

  private virtualHostDigested(vh: unknown): string | undefined {
    if (!isPlainObject(vh)) return JSON.stringify(vh);
    return objectText(vh, (key, value) =>
      key === 'routes' && Array.isArray(value)
        ? this.cachedIn(this.digests, value, () => `"routes:${versionHashOfJson(this.routes(value))}"`)
        : undefined,
    );
  }

  of(routeConfig: Json): string {
    return objectText(routeConfig, (key, value) =>
      key === 'virtual_hosts' && Array.isArray(value)
        ? arrayText(value, (vh) => this.virtualHost(vh))
        : undefined,
    );
  }

  private virtualHost(vh: unknown): string | undefined {
    if (!isPlainObject(vh)) return JSON.stringify(vh);
    return objectText(vh, (key, value) =>
      key === 'routes' && Array.isArray(value) ? this.routes(value) : undefined,
    );
  }

  // One native JSON.stringify per distinct list: faster than joining per-route texts, even shared ones.
  private routes(routes: unknown[]): string {
    return this.cached(routes, () => JSON.stringify(routes));
  }

  private cached(key: object, text: () => string): string {
    return this.cachedIn(this.texts, key, text);
  }

  private cachedIn(cache: Map<object, string>, key: object, text: () => string): string {
    let known = cache.get(key);
    if (known === undefined) {
      known = text();
      cache.set(key, known);
    }
    return known;
  }
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.stringify of an object, with `special` giving the text of some values (undefined: the default). */
function objectText(object: Json, special: (key: string, value: unknown) => string | undefined): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const text = special(key, value) ?? JSON.stringify(value);
    // JSON.stringify leaves out keys whose value has no JSON form (undefined, functions).
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

function arrayText(items: readonly unknown[], itemText: (item: unknown) => string | undefined): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    // JSON.stringify writes null for items without a JSON form.
    out += `${i === 0 ? '' : ','}${itemText(items[i]) ?? 'null'}`;
  }
  return `${out}]`;
}
