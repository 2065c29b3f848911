/**
 * The resource envelope every source emits and every plugin reads: a
 * Kubernetes-style object plus where it came from.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  resourceVersion?: string;
  uid?: string;
}

/** Where a resource was read from, for diagnostics printed like a compiler's. */
export interface SourceLocation {
  /** Source plugin id, e.g. 'source-file', 'source-kubernetes'. */
  source: string;
  /** File path (file source) or object path (Kubernetes). */
  file?: string;
  /** 1-based line of the document's first line in `file`. */
  line?: number;
  /** For resources parsed from an annotation: the object that carried it. */
  parent?: ResourceRef;
}

export interface Resource<Spec = Record<string, unknown>> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  /** Secrets and ConfigMaps keep their payload here. */
  data?: Record<string, string>;
  type?: string;
  /** Everything else the object carried (e.g. Endpoints `subsets`, Ingress `status`). */
  [extra: string]: unknown;
}

/** An input resource as held by the store: the object and where it came from. */
export interface StoredResource<Spec = Record<string, unknown>> {
  resource: Resource<Spec>;
  origin: SourceLocation;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Source file or object path, when known. */
  source?: string;
}

/** Group part of an apiVersion: 'getambassador.io/v3alpha1' → 'getambassador.io'; 'v1' → ''. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** A kind qualified by its API group, the unit of ownership: 'getambassador.io/Mapping', 'Secret'. */
export type ResourceKind = string;

/**
 * Kinds made so far, by apiVersion and kind: one string per kind, not one per call (every input
 * is asked, and the same string object then keys maps by kind quickly). Bounded: emptied when a
 * config names more than 1,000 apiVersions or kinds of one apiVersion.
 */
const madeKinds = new Map<string, Map<string, ResourceKind>>();

export function kindOf(resource: Pick<Resource, 'apiVersion' | 'kind'>): ResourceKind {
  let byKind = madeKinds.get(resource.apiVersion);
  if (byKind === undefined) {
    if (madeKinds.size >= 1000) madeKinds.clear();
    byKind = new Map();
    madeKinds.set(resource.apiVersion, byKind);
  }
  let kind = byKind.get(resource.kind);
  if (kind === undefined) {
    if (byKind.size >= 1000) byKind.clear();
    const group = apiGroup(resource.apiVersion);
    kind = group ? `${group}/${resource.kind}` : resource.kind;
    byKind.set(resource.kind, kind);
  }
  return kind;
}

export function refOf(resource: Resource, origin?: SourceLocation): ResourceRef {
  const namespace = resource.metadata.namespace;
  const file = origin?.file;
  // The common case (a namespaced resource read from a file or the API server) is one literal of
  // five keys: adding keys to a three-key literal gives each ref a property array of its own
  // (~40 bytes more, and refs live until the output is printed). Same keys, same order otherwise.
  if (namespace !== undefined && file !== undefined) {
    const line = origin!.line;
    return {
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      name: resource.metadata.name,
      namespace,
      source: line ? sourceText(file, line) : file,
    };
  }
  const ref: ResourceRef = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    name: resource.metadata.name,
  };
  if (namespace !== undefined) ref.namespace = namespace;
  if (file !== undefined) ref.source = origin!.line ? sourceText(file, origin!.line) : file;
  return ref;
}

/**
 * `file:line`, as one flat string: a template made two cons strings and the line's digits (~90
 * bytes per ref at 10,000 inputs, kept while the refs are), and the first comparison flattened them.
 */
function sourceText(file: string, line: number): string {
  return [file, line].join(':');
}

/**
 * The identity of a resource in the store: group/kind, namespace and name.
 * The version is not part of it, so a v2 and a v3alpha1 object of the same
 * name collide exactly as they do in Kubernetes.
 */
export function resourceKey(r: Pick<ResourceRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  return `${kindOf(r)}/${r.namespace ?? ''}/${r.name}`;
}

/** 'Mapping default/quote' — how a resource is named in messages. */
export function formatRef(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Total order on refs, used wherever refs reach output. */
export function compareRefs(a: ResourceRef, b: ResourceRef): number {
  return compareStrings(resourceKey(a), resourceKey(b)) || compareStrings(a.apiVersion, b.apiVersion);
}

/** Code-unit string comparison: locale-independent, so output is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** resourceKey() of a full resource. */
export function keyOfResource(resource: Pick<Resource, 'apiVersion' | 'kind' | 'metadata'>): string {
  // resourceKey's text, without a ref object per call (every input is keyed on every compile).
  return `${kindOf(resource)}/${resource.metadata.namespace ?? ''}/${resource.metadata.name}`;
}

// Refs are made once (refOf) and never changed after, and the same ref objects are merged again
// and again (a Host's ref into every listener, route configuration and chain built from it).
const refKeys = new WeakMap<ResourceRef, string>();

/** resourceKey(ref), remembered per ref object: only for refs, which are never changed once made. */
export function refKey(ref: ResourceRef): string {
  let key = refKeys.get(ref);
  if (key === undefined) {
    key = resourceKey(ref);
    refKeys.set(ref, key);
  }
  return key;
}

/** Union of provenance lists, deduplicated and sorted: what every IR element merge should use. */
export function mergeProvenance(...lists: ReadonlyArray<readonly ResourceRef[] | undefined>): ResourceRef[] {
  const byKey = new Map<string, ResourceRef>();
  for (const list of lists) {
    if (list == null) continue;
    for (let i = 0; i < list.length; i++) {
      const ref = list[i]!;
      const key = refKey(ref);
      if (!byKey.has(key)) byKey.set(key, ref);
    }
  }
  // Keys are unique, so sorting them alone gives compareRefs' order without building two
  // keys per comparison; the default sort compares UTF-16 code units as compareStrings does.
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}
