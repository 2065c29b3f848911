/**
 * JSON.stringify of emitted resources, with the texts of route tables' virtual
 * hosts and routes kept per object: an incremental compile keeps the objects
 * of the virtual hosts and routes an edit did not touch, so the text of a
 * 4 MB RouteConfiguration changed by one Mapping is joined from kept texts and
 * one route serialized anew. Sound only for objects that are never mutated
 * once emitted (the compiler's contract: results are replaced, not edited).
 */
export class RouteTableText {
  readonly #texts = new WeakMap<object, string>();

  /** Exactly `JSON.stringify(resource)`. */
  of(resource: Record<string, unknown>): string {
    const hosts = resource.virtual_hosts;
    if (!Array.isArray(hosts)) return JSON.stringify(resource);
    return objectText(resource, 'virtual_hosts', () => this.#listText(hosts, (host) => this.#hostText(host)));
  }

  #hostText(host: unknown): string {
    if (!isPlainRecord(host)) return JSON.stringify(host) ?? 'null';
    let text = this.#texts.get(host);
    if (text === undefined) {
      const routes = host.routes;
      text = Array.isArray(routes)
        ? objectText(host, 'routes', () => this.#listText(routes, (route) => this.#routeText(route)))
        : JSON.stringify(host);
      this.#texts.set(host, text);
    }
    return text;
  }

  #routeText(route: unknown): string {
    if (!isPlainRecord(route)) return JSON.stringify(route) ?? 'null';
    let text = this.#texts.get(route);
    if (text === undefined) {
      text = JSON.stringify(route);
      this.#texts.set(route, text);
    }
    return text;
  }

  #listText(list: readonly unknown[], itemText: (item: unknown) => string): string {
    let out = '[';
    for (let i = 0; i < list.length; i++) out += `${i === 0 ? '' : ','}${itemText(list[i])}`;
    return `${out}]`;
  }
}

/** A plain object (no toJSON, no class): JSON.stringify writes its own enumerable keys. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
}

/** JSON.stringify of a plain object, with the text of its member `key` given. */
function objectText(object: Record<string, unknown>, key: string, valueText: () => string): string {
  if (!isPlainRecord(object)) return JSON.stringify(object);
  let out = '{';
  let first = true;
  for (const k of Object.keys(object)) {
    const value = object[k];
    const text = k === key ? valueText() : JSON.stringify(value);
    // JSON.stringify leaves out members whose value has no JSON form (undefined, functions).
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${text}`;
    first = false;
  }
  return `${out}}`;
}
