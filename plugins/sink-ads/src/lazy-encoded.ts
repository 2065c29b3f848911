import type { XdsResource } from '@attache/core';
import type { EncodedResource, XdsCodec } from './xds-codec.js';

/**
 * Resources of one type encoded when first read rather than when the snapshot
 * arrives. With VHDS on, delta ADS streams take route tables in the VHDS form,
 * so the whole tables (a 1.5 MiB RouteConfiguration of 10,000 routes) are only
 * encoded if a SotW or per-type stream asks for them.
 */
export class LazyEncoded implements ReadonlyMap<string, EncodedResource> {
  private readonly encoded = new Map<string, EncodedResource>();

  constructor(
    private readonly sources: ReadonlyMap<string, XdsResource>,
    private readonly codec: XdsCodec,
    /** The previous encodings of the type, reused by version. */
    private readonly before: ReadonlyMap<string, EncodedResource> | undefined,
  ) {}

  /** The encoding if it exists already (never encodes): what the next snapshot may reuse. */
  peek(name: string): EncodedResource | undefined {
    const done = this.encoded.get(name);
    if (done) return done;
    const source = this.sources.get(name);
    const reused = source ? peekEncoded(this.before, name) : undefined;
    return reused && reused.version === source?.version ? reused : undefined;
  }

  get(name: string): EncodedResource | undefined {
    const known = this.peek(name);
    if (known) {
      this.encoded.set(name, known);
      return known;
    }
    const source = this.sources.get(name);
    if (!source) return undefined;
    const made = this.codec.encodeResource(source.name, source.version, source.resource);
    this.encoded.set(name, made);
    return made;
  }

  has(name: string): boolean {
    return this.sources.has(name);
  }

  get size(): number {
    return this.sources.size;
  }

  keys(): MapIterator<string> {
    return this.sources.keys();
  }

  *values(): MapIterator<EncodedResource> {
    for (const name of this.sources.keys()) yield this.get(name) as EncodedResource;
  }

  *entries(): MapIterator<[string, EncodedResource]> {
    for (const name of this.sources.keys()) yield [name, this.get(name) as EncodedResource];
  }

  [Symbol.iterator](): MapIterator<[string, EncodedResource]> {
    return this.entries();
  }

  forEach(
    callback: (value: EncodedResource, key: string, map: ReadonlyMap<string, EncodedResource>) => void,
  ): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }
}

/** A resource's encoding if there is one, without encoding a lazy one. */
export function peekEncoded(
  map: ReadonlyMap<string, EncodedResource> | undefined,
  name: string,
): EncodedResource | undefined {
  return map instanceof LazyEncoded ? map.peek(name) : map?.get(name);
}
