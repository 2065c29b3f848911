import {
  type KeptByString,
  mergeProvenance,
  pointerSegment,
  type ResourceRef,
  TypeUrl,
  versionHash,
  versionHashOfJson,
  type XdsResource,
} from '@attache/core';
import type { RouteConfigText } from './json-text.js';
import { KeptProvenance } from './kept-provenance.js';
import { LazyXdsResource } from './lazy-resource.js';
import type { Json, LoweredResource, ResourcePart } from './lower/index.js';
import { unionProvenance } from './provenance-union.js';
import { validateResource } from './validate.js';
import type { ValidationIssue } from './validation-issue.js';

/** Why (part of) a generated resource was left out, and whom to tell. */
export interface Rejection {
  refs: ResourceRef[];
  /** What was left out: the resource, or one part of it (a route, a filter chain). */
  what: string;
  /** Pointer into the Envoy resource where validation failed. */
  path: string;
  issue: string;
}

export interface Admission {
  /** The valid resource (possibly without its invalid droppable parts), or undefined when it was rejected whole. */
  resource?: XdsResource;
  rejections: Rejection[];
}

function describe(lowered: LoweredResource): string {
  return `${lowered.typeUrl.slice(lowered.typeUrl.lastIndexOf('.') + 1)} '${lowered.name}'`;
}

function decodeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function splitPointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(decodeSegment);
}

function contains(part: ResourcePart, path: string): boolean {
  return path === part.pointer || path.startsWith(`${part.pointer}/`);
}

/**
 * Validates a lowered resource and decides what reaches Envoy. An issue
 * inside a droppable part (a route, a filter chain) leaves out that part
 * only, blaming its provenance, and the rest is validated again; any other
 * issue rejects the whole resource, blaming everything behind it. Never
 * throws for invalid input.
 */
export function admitResource(lowered: LoweredResource): Admission {
  return admitLowered(lowered, undefined);
}

/**
 * admitResource, with a `routeConfigText` shared by the resources of one
 * lowering: it serializes shared route JSON once for the version hash.
 */
export function admitLowered(
  lowered: LoweredResource,
  routeConfigText: RouteConfigText | undefined,
  leaveOut: ReadonlyMap<ResourcePart, Rejection> = noneLeftOut,
  admitted?: KeptByString<string>,
): Admission {
  // Under an incremental compiler, a whole resource lowered to a text admitted before is
  // admitted again without validation (its verdict and version depend on that text alone).
  if (admitted && leaveOut.size === 0 && lowered.typeUrl !== TypeUrl.RouteConfiguration) {
    const text = JSON.stringify(lowered.resource);
    let version = admitted.get(text);
    if (version === undefined) {
      const admission = admitLowered(lowered, routeConfigText, leaveOut);
      if (admission.resource?.resource !== lowered.resource) return admission;
      version = versionHashOfJson(text);
      admitted.set(text, version);
      // versionHash(resource) is the hash of this very text.
      return admission;
    }
    return {
      resource: {
        typeUrl: lowered.typeUrl,
        name: lowered.name,
        resource: lowered.resource,
        version,
        provenance: unionProvenance(lowered.provenance, lowered.parts),
      },
      rejections: [],
    };
  }
  // Parts the caller already rejected (routes to a cluster Envoy would refuse) start out dropped.
  // (No Map, Set or array made when nothing is left out: admitted by the thousand.)
  const rejections: Rejection[] = leaveOut.size === 0 ? [] : [...leaveOut.values()];
  let dropped: Set<ResourcePart> | undefined = leaveOut.size === 0 ? undefined : new Set(leaveOut.keys());
  for (;;) {
    const pruned = dropped === undefined ? lowered.resource : withoutParts(lowered.resource, dropped);
    const issues = validateResource(pruned);
    if (issues.length === 0) {
      return {
        // Outside an incremental compiler (whose kept state the next compile rewrites), on first read.
        resource: admitted
          ? {
              typeUrl: lowered.typeUrl,
              name: lowered.name,
              resource: pruned,
              version: admittedVersion(pruned, lowered.typeUrl, routeConfigText),
              provenance: admittedProvenance(lowered, dropped, admitted),
            }
          : new AdmittedResource(lowered, pruned, dropped, routeConfigText),
        rejections,
      };
    }
    const blamed = new Map<ResourcePart, ValidationIssue>();
    let fatal: ValidationIssue | undefined;
    dropped ??= new Set();
    for (const issue of issues) {
      const path = originalPath(issue.path, dropped);
      const part = innermostDroppable(lowered.parts, dropped, path);
      if (!part) {
        fatal ??= { path, message: issue.message };
        continue;
      }
      if (!blamed.has(part)) blamed.set(part, { path, message: issue.message });
    }
    if (fatal) {
      const everything = mergeProvenance(
        lowered.provenance,
        ...lowered.parts.filter((p) => !dropped!.has(p)).map((p) => p.provenance),
      );
      rejections.push({ refs: everything, what: describe(lowered), path: fatal.path, issue: fatal.message });
      return { rejections };
    }
    for (const [part, issue] of blamed) {
      dropped.add(part);
      rejections.push({
        refs: part.provenance,
        what: `${part.label} of ${describe(lowered)}`,
        path: issue.path,
        issue: issue.message,
      });
    }
  }
}

const noneLeftOut: ReadonlyMap<ResourcePart, Rejection> = new Map();

/** The version of an admitted resource: the hash of its JSON text (a route configuration's from its shared route lists' texts). */
function admittedVersion(
  pruned: Json,
  typeUrl: string,
  routeConfigText: RouteConfigText | undefined,
): string {
  return routeConfigText && typeUrl === TypeUrl.RouteConfiguration
    ? routeConfigText.version(pruned)
    : versionHash(pruned);
}

/** The provenance of an admitted resource: its own refs and those of the parts it kept. */
function admittedProvenance(
  lowered: LoweredResource,
  dropped: ReadonlySet<ResourcePart> | undefined,
  admitted: KeptByString<string> | undefined,
): ResourceRef[] {
  // (Parts read only here: a route configuration makes them when first read.)
  const parts = dropped === undefined ? lowered.parts : lowered.parts.filter((p) => !dropped.has(p));
  return (
    keptProvenance(admitted, lowered)?.union(lowered.provenance, parts) ??
    unionProvenance(lowered.provenance, parts)
  );
}

/**
 * An admitted resource of a one-shot compile: its version and provenance computed when first
 * read (LazyXdsResource), from what it keeps in #private fields (no closures: one is made for
 * every resource of a compile).
 */
class AdmittedResource extends LazyXdsResource {
  #lowered: LoweredResource | undefined;
  #dropped: ReadonlySet<ResourcePart> | undefined;
  #routeConfigText: RouteConfigText | undefined;
  /** The JSON admitted (what `resource` is, unless assigned another since). */
  #pruned: Json;

  constructor(
    lowered: LoweredResource,
    pruned: Json,
    dropped: ReadonlySet<ResourcePart> | undefined,
    routeConfigText: RouteConfigText | undefined,
  ) {
    super(lowered.typeUrl, lowered.name, pruned);
    this.#pruned = pruned;
    this.#lowered = lowered;
    this.#dropped = dropped;
    this.#routeConfigText = routeConfigText;
  }

  protected computeVersion(): string {
    return admittedVersion(this.#pruned, this.#lowered!.typeUrl, this.#routeConfigText);
  }

  protected computeProvenance(): ResourceRef[] {
    return admittedProvenance(this.#lowered!, this.#dropped, undefined);
  }

  protected override release(): void {
    this.#lowered = undefined;
    this.#dropped = undefined;
    this.#routeConfigText = undefined;
  }
}

/**
 * Route configurations with more virtual hosts than this, or more parts (routes) than
 * `keptProvenancePartsAbove`, keep their provenance union between compiles: unionProvenance
 * sorts every distinct ref above 64 route lists (a table of hundreds or thousands of Hosts), and
 * sorts a changed route list's refs again (thousands of routes of a few Hosts); the kept union
 * takes out and puts in only the refs that went or came.
 */
const keptProvenanceAbove = 64;
const keptProvenancePartsAbove = 256;

/** Per incremental compiler (its `admitted` map), the kept provenance of each large route configuration. */
const keptProvenances = new WeakMap<KeptByString<string>, Map<string, KeptProvenance>>();

function keptProvenance(
  admitted: KeptByString<string> | undefined,
  lowered: LoweredResource,
): KeptProvenance | undefined {
  if (
    admitted === undefined ||
    lowered.typeUrl !== TypeUrl.RouteConfiguration ||
    (((lowered.resource.virtual_hosts as unknown[] | undefined)?.length ?? 0) <= keptProvenanceAbove &&
      lowered.parts.length <= keptProvenancePartsAbove)
  ) {
    return undefined;
  }
  let byName = keptProvenances.get(admitted);
  if (byName === undefined) {
    byName = new Map();
    keptProvenances.set(admitted, byName);
  }
  let kept = byName.get(lowered.name);
  if (kept === undefined) {
    kept = new KeptProvenance();
    byName.set(lowered.name, kept);
  }
  return kept;
}

function innermostDroppable(
  parts: readonly ResourcePart[],
  dropped: ReadonlySet<ResourcePart>,
  path: string,
): ResourcePart | undefined {
  let best: ResourcePart | undefined;
  for (const part of parts) {
    if (!part.droppable || dropped.has(part) || !contains(part, path)) continue;
    if (!best || part.pointer.length > best.pointer.length) best = part;
  }
  return best;
}

/** Array indexes removed under each container pointer, ascending. */
function droppedIndexes(dropped: ReadonlySet<ResourcePart>): Map<string, number[]> {
  const byParent = new Map<string, number[]>();
  for (const part of dropped) {
    const segments = splitPointer(part.pointer);
    const last = segments.at(-1)!;
    if (!/^\d+$/.test(last)) continue;
    const parent = segments
      .slice(0, -1)
      .map((s) => `/${pointerSegment(s)}`)
      .join('');
    byParent.set(
      parent,
      [...(byParent.get(parent) ?? []), Number(last)].sort((a, b) => a - b),
    );
  }
  return byParent;
}

/** Maps a path in the pruned resource back to the original one (indexes shift when items are removed). */
function originalPath(path: string, dropped: ReadonlySet<ResourcePart>): string {
  if (dropped.size === 0) return path;
  const removed = droppedIndexes(dropped);
  let out = '';
  for (const segment of splitPointer(path)) {
    const gone = removed.get(out);
    let next = segment;
    if (gone && /^\d+$/.test(segment)) {
      let index = Number(segment);
      for (const g of gone) if (g <= index) index++;
      next = String(index);
    }
    out += `/${pointerSegment(next)}`;
  }
  return out;
}

/** A copy of the resource without the dropped parts (array items removed, object keys deleted). */
function withoutParts(resource: Json, dropped: ReadonlySet<ResourcePart>): Json {
  const copy = structuredClone(resource);
  const removed = droppedIndexes(dropped);
  for (const part of dropped) {
    const segments = splitPointer(part.pointer);
    const last = segments.at(-1)!;
    if (/^\d+$/.test(last)) continue;
    const parent = resolve(copy, segments.slice(0, -1)) as Json | undefined;
    if (parent) delete parent[last];
  }
  for (const [parentPointer, indexes] of removed) {
    const list = resolve(copy, splitPointer(parentPointer));
    if (!Array.isArray(list)) continue;
    for (const index of [...indexes].reverse()) list.splice(index, 1);
  }
  return copy;
}

function resolve(root: unknown, segments: readonly string[]): unknown {
  let at = root;
  for (const s of segments) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[s];
  }
  return at;
}
