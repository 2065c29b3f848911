import type { ResourceRef, XdsResource, XdsTypeUrl } from '@attache/core';

// The accessors' descriptors, shared by every instance (their functions are set in
// LazyXdsResource's static block, where the #private fields are in reach).
const versionProperty: PropertyDescriptor = { enumerable: true, configurable: true };
const provenanceProperty: PropertyDescriptor = { enumerable: true, configurable: true };

/**
 * An XdsResource whose `version` (the hash of its JSON text) and `provenance` (the union of
 * its parts' refs) are computed the first time they are read, then kept: a one-shot
 * `attache compile` prints only `resource` and never pays for either (at 10,000 Mappings,
 * serialising and hashing every route list and merging every route's refs), while a sink
 * that reads them gets the same values as an eager resource. Both are own enumerable
 * properties (accessors, as `lazyField` of @attache/core makes them), so spreading,
 * JSON.stringify and structured cloning (a worker's postMessage) read them like data;
 * assigning one replaces it. Once both are read, nothing of the lowering is kept alive by it.
 *
 * A subclass says how each value is computed (computeVersion, computeProvenance: prototype
 * methods, not own properties) and keeps what they read in #private fields, invisible to
 * spreading, JSON and cloning. Made by the thousand (every cluster of a compile), so every
 * instance has the same two accessor functions (defined once, here) and the same hidden
 * class: an object literal with its own getters per resource ended up with a dictionary-mode
 * property store and seven closures (~1 KB each, against ~100 bytes).
 *
 * Only for values computed from data that does not change afterwards: the lowered JSON and
 * its parts' refs of one compile (not an incremental compiler's kept state, which the next
 * compile rewrites).
 */
export abstract class LazyXdsResource implements XdsResource {
  typeUrl: XdsTypeUrl;
  name: string;
  resource: Record<string, unknown>;
  declare version: string;
  declare provenance: ResourceRef[];
  #version: string | undefined;
  #provenance: ResourceRef[] | undefined;

  constructor(typeUrl: XdsTypeUrl, name: string, resource: Record<string, unknown>) {
    this.typeUrl = typeUrl;
    this.name = name;
    this.resource = resource;
    // Own, enumerable, configurable accessors after the data properties (lazyField's order).
    Object.defineProperty(this, 'version', versionProperty);
    Object.defineProperty(this, 'provenance', provenanceProperty);
  }

  /** The version, computed on the first read that finds none assigned. Called once at most. */
  protected abstract computeVersion(): string;
  /** The provenance, likewise. */
  protected abstract computeProvenance(): ResourceRef[];
  /** Called once both values are known: let go of what computing them needed. */
  protected release(): void {}

  static {
    versionProperty.get = function (this: LazyXdsResource): string {
      if (this.#version === undefined) {
        this.#version = this.computeVersion();
        if (this.#provenance !== undefined) this.release();
      }
      return this.#version;
    };
    versionProperty.set = function (this: LazyXdsResource, next: string): void {
      this.#version = next;
      if (this.#provenance !== undefined) this.release();
    };
    provenanceProperty.get = function (this: LazyXdsResource): ResourceRef[] {
      if (this.#provenance === undefined) {
        this.#provenance = this.computeProvenance();
        if (this.#version !== undefined) this.release();
      }
      return this.#provenance;
    };
    provenanceProperty.set = function (this: LazyXdsResource, next: ResourceRef[]): void {
      this.#provenance = next;
      if (this.#version !== undefined) this.release();
    };
  }
}

/** A LazyXdsResource computing its values with the given functions (let go once both are known). */
class ComputedXdsResource extends LazyXdsResource {
  #version: (() => string) | undefined;
  #provenance: (() => ResourceRef[]) | undefined;

  constructor(
    fields: Pick<XdsResource, 'typeUrl' | 'name' | 'resource'>,
    version: () => string,
    provenance: () => ResourceRef[],
  ) {
    super(fields.typeUrl, fields.name, fields.resource);
    this.#version = version;
    this.#provenance = provenance;
  }

  protected computeVersion(): string {
    return this.#version!();
  }

  protected computeProvenance(): ResourceRef[] {
    return this.#provenance!();
  }

  protected override release(): void {
    this.#version = undefined;
    this.#provenance = undefined;
  }
}

/** A LazyXdsResource whose version and provenance are what these functions give. */
export function lazyXdsResource(
  fields: Pick<XdsResource, 'typeUrl' | 'name' | 'resource'>,
  version: () => string,
  provenance: () => ResourceRef[],
): XdsResource {
  return new ComputedXdsResource(fields, version, provenance);
}
