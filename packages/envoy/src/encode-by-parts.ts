import type { DescField, DescMessage, JsonValue } from '@bufbuild/protobuf';
import {
  arrayElements,
  MalformedJson,
  type MemberSpan,
  objectMembers,
  skipSpace,
  valueEnd,
  withoutMember,
} from './json-spans.js';
import { protobuf } from './protobuf-runtime.js';
import { envoyRegistry, messageDesc, typeNameOfUrl } from './registry.js';
import { concatBytes, lengthDelimited, readVarint } from './wire-format.js';

/**
 * Encodes route tables by parts, so that re-encoding a RouteConfiguration (or
 * a VHDS VirtualHost) after a one-route change encodes one route, not 10,000.
 *
 * A protobuf message's encoding is the concatenation of its fields'
 * encodings, and a repeated message field is a sequence of (tag, length,
 * bytes) entries, in any interleaving with the other fields. So
 *   RouteConfiguration = its other fields + one entry per virtual host
 *   VirtualHost        = its other fields + one entry per route
 * and each entry is cached. The bytes may differ from toBinary's (field
 * order), the decoded message does not.
 *
 * Cache keys are the JSON text of the part (exact, never a hash): the objects
 * themselves are not the same from one snapshot to the next (the runtime's
 * compile worker sends resources as JSON text; a whole compile makes new
 * objects), while their text is, and stringifying is far cheaper than
 * fromJson + toBinary (a one-route change to a 10,000-route table: ~15 ms
 * instead of ~140 ms). A host's route map is reused from one encoding to the
 * next and rebuilt when stale entries outnumber its routes; a bounded number
 * of route entries is kept over all names (least recently used out).
 */

const routeConfigurationType = 'envoy.config.route.v3.RouteConfiguration';
const virtualHostType = 'envoy.config.route.v3.VirtualHost';

/**
 * Cached parts of one resource: the encodings of virtual hosts' own fields
 * (all but routes) by their JSON text, and per virtual-host name the route
 * entries by the route's JSON text (a changed host re-encodes only its
 * changed routes).
 */
interface PartCache {
  hosts: Map<string, HostPart>;
  routes: Map<string, Map<string, Uint8Array>>;
  /** Route entries counted when it was kept (its maps may grow later, when the next encoding reuses them). */
  counted: number;
}

export interface PartsEncoderOptions {
  /** At most this many route entries are kept over all names (default 400,000). */
  maxCachedRoutes?: number;
}

/** A virtual host's own fields (all but routes) encoded, with the text they are cached under. */
interface HostPart {
  key: string;
  bytes: Uint8Array;
}

/**
 * A copy of a string that shares no memory with the text it was cut from: a part cut out of a
 * 4 MB route table is a view of it in V8, and a cache key that is such a view keeps the whole
 * text alive (one table's text per edit, for as long as the key is cached).
 */
function detached(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** A virtual host cut out of a route table's text: its name, its other fields, its routes' texts, its end. */
interface HostText {
  name: string;
  restText: string;
  rest: () => Record<string, unknown>;
  routeTexts: string[];
  end: number;
}

/** A repeated message field's descriptor and the two JSON spellings of its name. */
interface RepeatedField {
  field: DescField;
  /** Its JSON name and, when different, its proto name (proto3 JSON accepts both). */
  names: readonly string[];
}

function repeatedField(desc: DescMessage, protoName: string): RepeatedField {
  const field = desc.fields.find((f) => f.name === protoName);
  if (field?.fieldKind !== 'list' || field.listKind !== 'message')
    throw new Error(`@attache/envoy: ${desc.typeName}.${protoName} is not a repeated message field`);
  return { field, names: field.jsonName === field.name ? [field.name] : [field.jsonName, field.name] };
}

/** The JSON without the repeated field, and its elements; undefined when the shape is not plain (then encode whole). */
function splitRepeated(
  json: Record<string, unknown>,
  { names }: RepeatedField,
): { rest: Record<string, unknown>; items: readonly Record<string, unknown>[] } | undefined {
  const present = names.filter((n) => Object.hasOwn(json, n));
  if (present.length === 0) return { rest: json, items: [] };
  if (present.length > 1) return undefined;
  const key = present[0] as string;
  const items = json[key];
  if (!Array.isArray(items)) return undefined;
  for (const item of items)
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const { [key]: _items, ...rest } = json;
  return { rest, items: items as Record<string, unknown>[] };
}

/**
 * A message's top-level fields: the entries of one length-delimited field
 * (whole, and their bodies) and the other fields' bytes, in order; undefined
 * when the bytes are not well-formed.
 */
function scanFields(
  bytes: Uint8Array,
  fieldNumber: number,
): { entries: Uint8Array[]; bodies: Uint8Array[]; others: Uint8Array[] } | undefined {
  const entries: Uint8Array[] = [];
  const bodies: Uint8Array[] = [];
  const others: Uint8Array[] = [];
  const at = { pos: 0 };
  while (at.pos < bytes.length) {
    const start = at.pos;
    const tag = readVarint(bytes, at, 10);
    if (tag === undefined) return undefined;
    const wireType = tag % 8;
    let bodyStart = at.pos;
    if (wireType === 0) {
      if (readVarint(bytes, at, 10) === undefined) return undefined;
    } else if (wireType === 1) at.pos += 8;
    else if (wireType === 5) at.pos += 4;
    else if (wireType === 2) {
      const length = readVarint(bytes, at, 10);
      if (length === undefined) return undefined;
      bodyStart = at.pos;
      at.pos += length;
    } else return undefined;
    if (at.pos > bytes.length) return undefined;
    if (wireType === 2 && Math.floor(tag / 8) === fieldNumber) {
      entries.push(bytes.subarray(start, at.pos));
      bodies.push(bytes.subarray(bodyStart, at.pos));
    } else others.push(bytes.subarray(start, at.pos));
  }
  return { entries, bodies, others };
}

function encodeWhole(desc: DescMessage, json: Record<string, unknown>): Uint8Array {
  const { fromJson, toBinary } = protobuf();
  return toBinary(desc, fromJson(desc, json as JsonValue, { registry: envoyRegistry }));
}

/**
 * An encoder of RouteConfiguration and VirtualHost resources by parts, with
 * its caches. `encode` takes the resource's proto3-JSON (with or without
 * '@type') and returns the message's binary encoding.
 */
export class RouteTableEncoder {
  readonly #routeConfiguration = messageDesc(routeConfigurationType);
  readonly #virtualHost = messageDesc(virtualHostType);
  readonly #route = messageDesc('envoy.config.route.v3.Route');
  readonly #hostsField = repeatedField(this.#routeConfiguration, 'virtual_hosts');
  readonly #routesField = repeatedField(this.#virtualHost, 'routes');
  /** Per resource (type and name), least recently used first. */
  readonly #caches = new Map<string, PartCache>();
  readonly #maxCachedRoutes: number;
  #cachedRoutes = 0;
  #routesEncoded = 0;

  constructor(options: PartsEncoderOptions = {}) {
    this.#maxCachedRoutes = options.maxCachedRoutes ?? 400_000;
  }

  /** Whether `typeName` is encoded by parts here. */
  static handles(typeName: string): boolean {
    return typeName === routeConfigurationType || typeName === virtualHostType;
  }

  /** The binary of a RouteConfiguration or VirtualHost given its proto3-JSON ('@type' optional, else `typeName`). */
  encode(json: Record<string, unknown>, typeName?: string): Uint8Array {
    const { '@type': typeUrl, ...body } = json;
    const type = typeof typeUrl === 'string' ? typeNameOfUrl(typeUrl) : typeName;
    if (type !== routeConfigurationType && type !== virtualHostType)
      throw new Error(`@attache/envoy: RouteTableEncoder encodes route tables, not '${String(type)}'`);
    const desc = type === routeConfigurationType ? this.#routeConfiguration : this.#virtualHost;
    // Without parts (e.g. the VHDS form of a table, which has the same name) there is nothing to
    // cache, and its empty cache must not replace the whole table's.
    const parts = splitRepeated(body, type === routeConfigurationType ? this.#hostsField : this.#routesField);
    if (!parts || parts.items.length === 0) return encodeWhole(desc, body);
    const name = typeof body.name === 'string' ? body.name : '';
    const key = `${type} ${name}`;
    const before = this.#caches.get(key);
    const after: PartCache = { hosts: new Map(), routes: new Map(), counted: 0 };
    let bytes: Uint8Array;
    if (!before) {
      // Nothing cached yet: one toBinary of the whole (twice as fast as 10,000 small ones),
      // then the parts are cut out of its bytes for the next encoding.
      const whole = encodeWhole(desc, body);
      this.#fillFromWhole(type === routeConfigurationType, parts, whole, name, after);
      // The cache holds views of `whole`: the caller gets its own copy (to transfer or reuse freely).
      bytes = whole.slice();
    } else
      bytes =
        type === routeConfigurationType
          ? this.#encodeRouteConfiguration(body, before, after)
          : (this.#encodeVirtualHost(body, name, before, after) ?? encodeWhole(this.#virtualHost, body));
    this.#keep(key, before, after);
    return bytes;
  }

  /** How many route entries are cached (for tests and metrics). */
  get cachedRoutes(): number {
    return this.#cachedRoutes;
  }

  /** How many routes were encoded (not served from the cache) since construction. */
  get routesEncoded(): number {
    return this.#routesEncoded;
  }

  /**
   * Caches the parts of a whole encoding: toBinary writes a repeated field's elements in
   * order, so the i-th virtual-host (route) entry is the encoding of the i-th element. Hosts
   * whose entries do not line up with their JSON are left uncached (encoded by parts next time).
   */
  #fillFromWhole(
    isRouteConfiguration: boolean,
    { rest, items }: { rest: Record<string, unknown>; items: readonly Record<string, unknown>[] },
    bytes: Uint8Array,
    name: string,
    after: PartCache,
  ): void {
    if (!isRouteConfiguration) {
      this.#fillHost(bytes, rest, name, after, items);
      return;
    }
    const scanned = scanFields(bytes, this.#hostsField.field.number);
    if (!scanned || scanned.bodies.length !== items.length) return;
    items.forEach((host, i) => {
      const split = splitRepeated(host, this.#routesField);
      if (!split) return;
      const hostName = typeof host.name === 'string' ? host.name : '';
      this.#fillHost(scanned.bodies[i] as Uint8Array, split.rest, hostName, after, split.items);
    });
  }

  /** Caches one virtual host's own fields and route entries from its encoding. */
  #fillHost(
    hostBytes: Uint8Array,
    rest: Record<string, unknown>,
    hostName: string,
    after: PartCache,
    routes: readonly Record<string, unknown>[],
  ): void {
    const scanned = scanFields(hostBytes, this.#routesField.field.number);
    if (!scanned || scanned.entries.length !== routes.length || after.routes.has(hostName)) return;
    const kept = new Map<string, Uint8Array>();
    for (let i = 0; i < routes.length; i++)
      kept.set(JSON.stringify(routes[i]), scanned.entries[i] as Uint8Array);
    after.routes.set(hostName, kept);
    const restText = JSON.stringify(rest);
    after.hosts.set(restText, { key: restText, bytes: concatBytes(scanned.others) });
    this.#routesEncoded += routes.length;
  }

  #encodeRouteConfiguration(
    json: Record<string, unknown>,
    before: PartCache | undefined,
    after: PartCache,
  ): Uint8Array {
    const desc = this.#routeConfiguration;
    const split = splitRepeated(json, this.#hostsField);
    if (!split) return encodeWhole(desc, json);
    const number = this.#hostsField.field.number;
    const entries: Uint8Array[] = [];
    for (const host of split.items) {
      const name = typeof host.name === 'string' ? host.name : '';
      const hostBytes = this.#encodeVirtualHost(host, name, before, after);
      if (!hostBytes) return encodeWhole(desc, json);
      entries.push(lengthDelimited(number, [hostBytes]));
    }
    return concatBytes([encodeWhole(desc, split.rest), ...entries]);
  }

  /** A VirtualHost's binary by parts; undefined when its shape is not plain (the caller encodes whole). */
  #encodeVirtualHost(
    json: Record<string, unknown>,
    hostName: string,
    before: PartCache | undefined,
    after: PartCache,
  ): Uint8Array | undefined {
    const split = splitRepeated(json, this.#routesField);
    if (!split) return undefined;
    const routeTexts = split.items.map((route) => JSON.stringify(route));
    return this.#encodeHost(
      { name: hostName, restText: JSON.stringify(split.rest), rest: () => split.rest },
      routeTexts,
      (i) => split.items[i] as Record<string, unknown>,
      before,
      after,
    );
  }

  /**
   * A VirtualHost's binary from its parts: its other fields (their JSON text, and the object
   * when they must be encoded) and its routes' JSON texts (and each route's object when it
   * must be encoded). Each part's cache key is its exact text.
   */
  #encodeHost(
    host: { name: string; restText: string; rest: () => Record<string, unknown> },
    routeTexts: readonly string[],
    route: (i: number) => Record<string, unknown>,
    before: PartCache | undefined,
    after: PartCache,
  ): Uint8Array {
    const number = this.#routesField.field.number;
    // The previous map is reused in place (no 10,000-entry copy per change); stale entries are
    // harmless (keys are exact) and dropped by a rebuild once they outnumber the routes.
    // Two hosts of one name (Envoy rejects that) share one map: still exact.
    const kept =
      after.routes.get(host.name) ?? before?.routes.get(host.name) ?? new Map<string, Uint8Array>();
    after.routes.set(host.name, kept);
    const entries: Uint8Array[] = new Array(routeTexts.length);
    for (let i = 0; i < routeTexts.length; i++) {
      const text = routeTexts[i] as string;
      let made = kept.get(text);
      if (!made) {
        made = lengthDelimited(number, [encodeWhole(this.#route, route(i))]);
        this.#routesEncoded++;
        kept.set(detached(text), made);
      }
      entries[i] = made;
    }
    if (kept.size > 2 * routeTexts.length + 16) {
      // Rebuilt from the kept keys (each entry is made once per key), not from this text's.
      const used = new Set(entries);
      const fresh = new Map<string, Uint8Array>();
      for (const [key, made] of kept) if (used.has(made)) fresh.set(key, made);
      after.routes.set(host.name, fresh);
    }
    let rest = after.hosts.get(host.restText) ?? before?.hosts.get(host.restText);
    if (!rest) rest = { key: detached(host.restText), bytes: encodeWhole(this.#virtualHost, host.rest()) };
    after.hosts.set(rest.key, rest);
    return concatBytes([rest.bytes, ...entries]);
  }

  /**
   * The binary of a route table given its proto3-JSON text (with '@type'), and its type name;
   * undefined when the text is another type's (the caller encodes it). A RouteConfiguration encoded before under
   * its name is cut into the texts of its virtual hosts and routes without parsing it
   * (`json-spans.ts`), and only the parts not cached are parsed and encoded: a one-route
   * change to a 4 MB table parses one route. Otherwise (a first encoding, a VirtualHost, a
   * shape the scanner does not take) the text is parsed whole and encoded as `encode` does.
   * The bytes are those `encode` gives for the parsed text; malformed text throws JSON.parse's
   * SyntaxError.
   */
  encodeText(text: string): { typeName: string; bytes: Uint8Array } | undefined {
    try {
      const made = this.#encodeRouteConfigurationText(text);
      if (made === undefined) return undefined;
      if (made !== 'parse') return { typeName: routeConfigurationType, bytes: made };
    } catch (e) {
      if (!(e instanceof MalformedJson)) throw e;
    }
    const json = JSON.parse(text) as Record<string, unknown>;
    const typeUrl = json['@type'];
    const typeName = typeof typeUrl === 'string' ? typeNameOfUrl(typeUrl) : undefined;
    if (typeName === undefined || !RouteTableEncoder.handles(typeName)) return undefined;
    return { typeName, bytes: this.encode(json) };
  }

  /**
   * By the text's parts; undefined when it is not a route table, 'parse' when it must be parsed
   * whole. The text is scanned once: the virtual hosts and their routes are cut out as the
   * top-level members are read.
   */
  #encodeRouteConfigurationText(text: string): Uint8Array | undefined | 'parse' {
    const start = skipSpace(text, 0);
    let hosts: Array<HostText | undefined> | undefined;
    const { members, end } = objectMembers(text, start, (key, at) => {
      if (!this.#hostsField.names.includes(key) || text.charCodeAt(at) !== 0x5b) return undefined;
      const list: Array<HostText | undefined> = [];
      hosts = list;
      return arrayElements(text, at, (element) => {
        const host = this.#hostText(text, element);
        list.push(host);
        return host?.end ?? valueEnd(text, element);
      }).end;
    });
    if (skipSpace(text, end) !== text.length || hasDuplicateKeys(members)) return 'parse';
    const typeUrl = memberValue(text, members, '@type');
    if (typeof typeUrl !== 'string') return 'parse';
    const typeName = typeNameOfUrl(typeUrl);
    if (!RouteTableEncoder.handles(typeName)) return undefined;
    if (typeName !== routeConfigurationType) return 'parse';
    const hostsAt = members.flatMap((m, i) => (this.#hostsField.names.includes(m.key) ? [i] : []));
    if (hostsAt.length !== 1 || hosts === undefined || hosts.length === 0) return 'parse';
    const name = memberValue(text, members, 'name');
    const key = `${routeConfigurationType} ${typeof name === 'string' ? name : ''}`;
    const before = this.#caches.get(key);
    if (!before) return 'parse';
    const after: PartCache = { hosts: new Map(), routes: new Map(), counted: 0 };
    const number = this.#hostsField.field.number;
    const entries: Uint8Array[] = [];
    for (const host of hosts) {
      if (!host) return 'parse';
      const hostBytes = this.#encodeHost(
        host,
        host.routeTexts,
        (i) => JSON.parse(host.routeTexts[i] as string) as Record<string, unknown>,
        before,
        after,
      );
      entries.push(lengthDelimited(number, [hostBytes]));
    }
    const { '@type': _type, ...rest } = JSON.parse(
      withoutMember(text, start, end, members, hostsAt[0] as number),
    ) as Record<string, unknown>;
    const bytes = concatBytes([encodeWhole(this.#routeConfiguration, rest), ...entries]);
    this.#keep(key, before, after);
    return bytes;
  }

  /** A virtual host's parts in a text, and where it ends; undefined when it is not plain. */
  #hostText(text: string, start: number): HostText | undefined {
    if (text.charCodeAt(start) !== 0x7b) return undefined;
    let routeTexts: string[] | undefined;
    let plain = true;
    const { members, end } = objectMembers(text, start, (key, at) => {
      if (!this.#routesField.names.includes(key)) return undefined;
      if (text.charCodeAt(at) !== 0x5b) {
        plain = false;
        return undefined;
      }
      const texts: string[] = [];
      routeTexts = texts;
      return arrayElements(text, at, (element) => {
        const elementEnd = valueEnd(text, element);
        if (text.charCodeAt(element) !== 0x7b) plain = false;
        texts.push(text.slice(element, elementEnd));
        return elementEnd;
      }).end;
    });
    if (!plain || hasDuplicateKeys(members)) return undefined;
    const routesAt = members.findIndex((m) => this.#routesField.names.includes(m.key));
    const restText =
      routesAt >= 0 ? withoutMember(text, start, end, members, routesAt) : text.slice(start, end);
    const name = memberValue(text, members, 'name');
    return {
      name: typeof name === 'string' ? name : '',
      restText,
      rest: () => JSON.parse(restText) as Record<string, unknown>,
      routeTexts: routeTexts ?? [],
      end,
    };
  }

  #keep(key: string, before: PartCache | undefined, after: PartCache): void {
    if (before) {
      this.#caches.delete(key);
      this.#cachedRoutes -= before.counted;
    }
    after.counted = routeCount(after);
    this.#caches.set(key, after);
    this.#cachedRoutes += after.counted;
    for (const [oldKey, cache] of this.#caches) {
      if (this.#cachedRoutes <= this.#maxCachedRoutes || oldKey === key) break;
      this.#caches.delete(oldKey);
      this.#cachedRoutes -= cache.counted;
    }
  }
}

function routeCount(cache: PartCache): number {
  let n = 0;
  for (const routes of cache.routes.values()) n += routes.size;
  return n;
}

function hasDuplicateKeys(members: readonly MemberSpan[]): boolean {
  const keys = new Set<string>();
  for (const m of members) {
    if (keys.has(m.key)) return true;
    keys.add(m.key);
  }
  return false;
}

/** The parsed value of an object's member, undefined when absent. */
function memberValue(text: string, members: readonly MemberSpan[], key: string): unknown {
  const member = members.find((m) => m.key === key);
  return member ? JSON.parse(text.slice(member.valueStart, member.valueEnd)) : undefined;
}
