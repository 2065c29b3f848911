import { envelopeProblem, likelyMeant } from './admit-envelope.js';
import type { DiagnosticInput } from './diagnostics.js';
import type { KeptInputOrder, KeyedInput } from './incremental-inputs.js';
import { sortByKey } from './key-order.js';
import type { Pipeline } from './pipeline.js';
import {
  apiGroup,
  compareStrings,
  keyOfResource,
  kindOf,
  type ResourceKind,
  refOf,
  type StoredResource,
} from './resource.js';

/** An admitted input: the stored resource with its key and kind. */
export interface AdmittedEntry extends KeyedInput {
  kind: ResourceKind;
}

/** What passes read of the admitted inputs: all of them in key order, and per kind. */
export interface AdmittedInputs {
  /** In key order, duplicates dropped. */
  entries: AdmittedEntry[];
  /** `entries`' stored resources, in the same order. */
  inputs: StoredResource[];
  byKind: Map<ResourceKind, StoredResource[]>;
}

/** A diagnostic about one input, reported with the input it is about. */
export type ReportInput = (d: DiagnosticInput, stored: StoredResource) => void;

/**
 * Checks envelopes, drops duplicates (the one read first wins: earliest source
 * file and line), flags kinds no plugin handles, and sorts by key.
 */
export function admitInputs(
  resources: readonly StoredResource[],
  pipeline: Pipeline,
  report: ReportInput,
  kept?: KeptInputOrder,
): { admitted: AdmittedInputs; duplicates: boolean } {
  // `resources` itself while every input passes (the usual case), a copy from the first that does not.
  let valid: readonly StoredResource[] = resources;
  let copied: StoredResource[] | undefined;
  // Indexed loops: a one-shot compile runs this in V8's interpreter, where for-of makes an
  // iterator result object per element (~1.3 MiB at 10,000 inputs).
  for (let i = 0; i < resources.length; i++) {
    const stored = resources[i]!;
    // An object of the last compiles passed the check then (inputs are not changed in place).
    const problem = kept?.known(stored) ? undefined : invalidEnvelope(stored);
    if (problem) {
      report(problem, stored);
      if (copied === undefined) {
        copied = resources.slice(0, i);
        valid = copied;
      }
      continue;
    }
    copied?.push(stored);
  }
  // Keys are computed once: sorting 10,000 resources calls the comparator ~130,000 times.
  const keyed: KeyedInput[] = kept
    ? kept.sort(valid, (stored) => keyOfResource(stored.resource), compareKeyed)
    : sortByKey(valid.map(keyedWithKind), compareKeyed);
  // `keyed` itself while no key repeats (the usual case), or a copy without the duplicates from the first.
  let entries: AdmittedEntry[] | undefined;
  let duplicates = false;
  let previous: KeyedInput | undefined;
  for (let i = 0; i < keyed.length; i++) {
    const entry = keyed[i]!;
    const stored = entry.stored;
    if (previous && entry.key === previous.key) {
      duplicates = true;
      report(duplicateOf(stored, previous), stored);
      entries ??= keyed.slice(0, i) as AdmittedEntry[];
      continue;
    }
    // Kept with the input's key under an incremental compiler: one string per input, not one per compile.
    let kind = entry.kind;
    if (kind === undefined) {
      kind = kindOf(stored.resource);
      entry.kind = kind;
    }
    if (!pipeline.owners.has(kind)) reportUnhandled(stored, kind, pipeline, report);
    // The keyed entry is the admitted input (it holds the stored resource and its kind).
    entries?.push(entry as AdmittedEntry);
    previous = entry;
  }
  // Under an incremental compiler `keyed` is its kept order, and the admission patches its entries
  // in place (kept-admission.ts): a list of their own, as before.
  entries ??= (kept ? keyed.slice() : keyed) as AdmittedEntry[];
  return { admitted: admittedLists(entries), duplicates };
}

/** An input's entry with its kind, and its key made from it (keyOfResource's text). */
function keyedWithKind(stored: StoredResource): KeyedInput {
  const kind = kindOf(stored.resource);
  const { namespace, name } = stored.resource.metadata;
  // join makes the key one flat string; the template's concatenations made up to four cons strings,
  // which the sort then flattened into a fifth (all kept while the entries live).
  return { stored, kind, key: [kind, namespace ?? '', name].join('/') };
}

/** The inputs and per-kind lists of admitted entries. */
function admittedLists(entries: AdmittedEntry[]): AdmittedInputs {
  const byKind = new Map<ResourceKind, StoredResource[]>();
  const inputs: StoredResource[] = [];
  for (let i = 0; i < entries.length; i++) {
    const { stored, kind } = entries[i]!;
    inputs.push(stored);
    const list = byKind.get(kind);
    if (list) list.push(stored);
    else byKind.set(kind, [stored]);
  }
  return { entries, inputs, byKind };
}

/** The envelope problem of an input (apiVersion, kind, metadata), as a diagnostic; none when it is well formed. */
export function invalidEnvelope(stored: StoredResource): DiagnosticInput | undefined {
  const r = stored.resource as Partial<StoredResource['resource']> | undefined;
  const problem = envelopeProblem(r);
  if (!problem) return undefined;
  const name = r?.metadata?.name;
  return {
    code: 'RESOURCE_INVALID',
    message: `${stored.origin.file ?? stored.origin.source}${stored.origin.line ? `:${stored.origin.line}` : ''}: ${problem.message}`,
    resource: {
      apiVersion: String(r?.apiVersion ?? ''),
      kind: String(r?.kind ?? ''),
      name: typeof name === 'string' || typeof name === 'number' ? String(name) : '',
      ...(stored.origin.file ? { source: stored.origin.file } : {}),
    },
    path: problem.path,
  };
}

function duplicateOf(stored: StoredResource, first: KeyedInput): DiagnosticInput {
  return {
    code: 'RESOURCE_DUPLICATE',
    message: `another ${stored.resource.kind} named ${stored.resource.metadata.name} was read first (${first.stored.origin.file ?? first.stored.origin.source}); rename one of them`,
    resource: refOf(stored.resource, stored.origin),
    path: '/metadata/name',
  };
}

/** An input no plugin owns: a kind whose plugin is not loaded, a misspelling, or an unknown kind (consumed kinds are fine). */
export function reportUnhandled(
  stored: StoredResource,
  kind: ResourceKind,
  pipeline: Pipeline,
  report: ReportInput,
): void {
  const needs = pipeline.kindPlugins.get(kind);
  const meant =
    needs === undefined && !pipeline.consumed.has(kind)
      ? likelyMeant(stored.resource.apiVersion, stored.resource.kind, [
          ...pipeline.owners.keys(),
          ...pipeline.consumed,
        ])
      : undefined;
  if (needs !== undefined) {
    report(
      {
        code: 'KIND_NEEDS_PLUGIN',
        message: `${stored.resource.kind} needs the ${needs} plugin, which is not loaded, so this resource is ignored; add ${needs} to the distribution (attache.yaml plugins:)`,
        resource: refOf(stored.resource, stored.origin),
        path: '/kind',
      },
      stored,
    );
  } else if (meant) {
    const group = apiGroup(stored.resource.apiVersion);
    const version = stored.resource.apiVersion.slice(group.length + (group ? 1 : 0));
    report(
      {
        code: 'RESOURCE_KIND_MISSPELLED',
        message:
          meant.group !== group
            ? `no plugin handles API group ${group}: did you mean ${meant.group}? Write apiVersion: ${meant.group}/${version}${meant.kind !== stored.resource.kind ? ` and kind: ${meant.kind}` : ''}; the resource is ignored until then`
            : `no plugin handles kind ${stored.resource.kind} in ${group || 'the core API group'}: did you mean ${meant.kind}? Fix kind; the resource is ignored until then`,
        resource: refOf(stored.resource, stored.origin),
        path: meant.group !== group ? '/apiVersion' : '/kind',
      },
      stored,
    );
  } else if (!pipeline.consumed.has(kind)) {
    report(
      {
        code: 'RESOURCE_KIND_UNKNOWN',
        message: `no plugin handles ${stored.resource.apiVersion} ${stored.resource.kind}; check apiVersion and kind, or load the plugin that owns it`,
        resource: refOf(stored.resource, stored.origin),
        path: '/kind',
      },
      stored,
    );
  }
}

/** compile()'s input order: by key, then source file and line, apiVersion and at last the text. */
export function compareKeyed(a: KeyedInput, b: KeyedInput): number {
  return (
    compareStrings(a.key, b.key) ||
    compareStrings(a.stored.origin.file ?? '', b.stored.origin.file ?? '') ||
    (a.stored.origin.line ?? 0) - (b.stored.origin.line ?? 0) ||
    compareStrings(a.stored.resource.apiVersion, b.stored.resource.apiVersion) ||
    compareStrings(JSON.stringify(a.stored.resource), JSON.stringify(b.stored.resource))
  );
}
