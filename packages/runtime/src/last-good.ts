import {
  type CompileResult,
  compareDiagnostics,
  type Diagnostic,
  formatRef,
  keyOfResource,
  refOf,
  resourceKey,
  type StoredResource,
} from '@attache/core';

/** Errors that say nothing about a resource's own content: they never make it fall back. */
const notAboutContent = new Set(['RESOURCE_DUPLICATE', 'SOURCE_ERROR', 'SOURCE_WARNING']);

/**
 * The last version of each input resource that compiled without an error on
 * it, per node group. When a resource that was valid turns invalid, the
 * group is compiled with that last good version in its place, so a typo in a
 * live Mapping does not take its route away; the invalid version's own
 * diagnostics are kept, with a RESOURCE_LAST_GOOD error saying what is served
 * and since when. A resource that was never valid has no last good version
 * and is not served; a deleted resource is forgotten.
 */
export class LastGoodResources {
  readonly #good = new Map<string, StoredResource>();
  readonly #invalidSince = new Map<string, string>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** How many resources have a last good version on record (tests and the soak bench read it). */
  get size(): number {
    return this.#good.size;
  }

  /**
   * Compiles `resources`, and once more with last good versions in place of
   * resources that turned invalid (a third time when a last good version is
   * itself refused now, e.g. because what it refers to is gone). A compile
   * without newly invalid resources costs nothing extra.
   */
  compile(
    resources: readonly StoredResource[],
    compileOnce: (resources: readonly StoredResource[]) => CompileResult,
  ): CompileResult {
    const current = currentByKey(resources);
    const first = compileOnce(resources);
    let result = first;
    let served = this.#fallbacks(current, errorKeys(first.diagnostics));
    if (served.size > 0) {
      result = compileOnce(substitute(resources, served));
      const stillInvalid = errorKeys(result.diagnostics);
      const kept = new Map([...served].filter(([key]) => !stillInvalid.has(key)));
      if (kept.size !== served.size) {
        served = kept;
        result = served.size > 0 ? compileOnce(substitute(resources, served)) : first;
      }
    }
    this.#remember(current, errorKeys(result.diagnostics), served);
    if (served.size === 0) return result;
    return { ...result, diagnostics: this.#explain(first.diagnostics, result.diagnostics, current, served) };
  }

  /** Keys of invalid current resources that have another, last good version to serve. */
  #fallbacks(current: ReadonlyMap<string, StoredResource>, invalid: ReadonlySet<string>) {
    const served = new Map<string, StoredResource>();
    for (const key of invalid) {
      const now = current.get(key);
      const good = this.#good.get(key);
      if (!now || !good || good === now || sameContent(good, now)) continue;
      served.set(key, good);
    }
    return served;
  }

  #remember(
    current: ReadonlyMap<string, StoredResource>,
    invalid: ReadonlySet<string>,
    served: ReadonlyMap<string, StoredResource>,
  ): void {
    // Deleting the entry being visited is safe while iterating a Map.
    for (const key of this.#good.keys()) if (!current.has(key)) this.#good.delete(key);
    for (const key of this.#invalidSince.keys()) if (!served.has(key)) this.#invalidSince.delete(key);
    const since = this.#now().toISOString();
    for (const [key, stored] of current) {
      if (served.has(key)) {
        if (!this.#invalidSince.has(key)) this.#invalidSince.set(key, since);
      } else if (!invalid.has(key)) {
        this.#good.set(key, stored);
      }
    }
  }

  /**
   * The diagnostics of the compile that is served, except that a resource
   * served from its last good version shows its current version's diagnostics
   * (what the user must fix) and the RESOURCE_LAST_GOOD error.
   */
  #explain(
    ofCurrent: readonly Diagnostic[],
    ofServed: readonly Diagnostic[],
    current: ReadonlyMap<string, StoredResource>,
    served: ReadonlyMap<string, StoredResource>,
  ): Diagnostic[] {
    const about = (d: Diagnostic) => (d.resource ? resourceKey(d.resource) : '');
    const out = ofServed.filter((d) => !served.has(about(d)));
    out.push(...ofCurrent.filter((d) => served.has(about(d))));
    for (const [key, good] of served) {
      const now = current.get(key)!;
      const ref = refOf(now.resource, now.origin);
      const from = good.origin.file
        ? ` (read from ${good.origin.file}${good.origin.line ? `:${good.origin.line}` : ''})`
        : '';
      out.push({
        code: 'RESOURCE_LAST_GOOD',
        severity: 'error',
        message: `${formatRef(ref)} is invalid since ${this.#invalidSince.get(key)}; its last good version${from} is served until it is fixed or deleted`,
        resource: ref,
        origin: { plugin: 'runtime' },
      });
    }
    return out.sort(compareDiagnostics);
  }
}

/**
 * Each input object's key (null: not a named resource), made once per object: a serving runtime
 * compiles the same objects again and again, and the store replaces only those that changed.
 */
const keys = new WeakMap<StoredResource, string | null>();
function keyOf(stored: StoredResource): string | null {
  let key = keys.get(stored);
  if (key === undefined) {
    const r = stored.resource as Partial<StoredResource['resource']> | undefined;
    key =
      typeof r?.apiVersion !== 'string' || typeof r.kind !== 'string' || typeof r.metadata?.name !== 'string'
        ? null
        : keyOfResource(stored.resource);
    keys.set(stored, key);
  }
  return key;
}

/** The current resource of each key; a key held twice (a duplicate) is left out: which one is "it" is the duplicate's error. */
function currentByKey(resources: readonly StoredResource[]): Map<string, StoredResource> {
  const byKey = new Map<string, StoredResource>();
  const duplicated = new Set<string>();
  for (const stored of resources) {
    const key = keyOf(stored);
    if (key === null) continue;
    if (byKey.has(key)) duplicated.add(key);
    byKey.set(key, stored);
  }
  for (const key of duplicated) byKey.delete(key);
  return byKey;
}

function errorKeys(diagnostics: readonly Diagnostic[]): Set<string> {
  const keys = new Set<string>();
  for (const d of diagnostics) {
    if (d.severity === 'error' && d.resource && !notAboutContent.has(d.code))
      keys.add(resourceKey(d.resource));
  }
  return keys;
}

function substitute(
  resources: readonly StoredResource[],
  served: ReadonlyMap<string, StoredResource>,
): StoredResource[] {
  return resources.map((stored) => {
    const key = keyOf(stored);
    return key === null ? stored : (served.get(key) ?? stored);
  });
}

function sameContent(a: StoredResource, b: StoredResource): boolean {
  return JSON.stringify(a.resource) === JSON.stringify(b.resource);
}
