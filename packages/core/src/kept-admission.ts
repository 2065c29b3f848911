import {
  type AdmittedEntry,
  type AdmittedInputs,
  compareKeyed,
  invalidEnvelope,
  type ReportInput,
  reportUnhandled,
} from './admit-inputs.js';
import type { DiagnosticInput } from './diagnostics.js';
import type { KeptInputOrder, KeyedInput } from './incremental-inputs.js';
import type { Pipeline } from './pipeline.js';
import { keyOfResource, kindOf, type ResourceKind, type StoredResource } from './resource.js';
import { sharedEnds } from './shared-ends.js';

/** What one input's admission reported, and whether it was left out (a bad envelope). */
interface Notes {
  diagnostics: DiagnosticInput[];
  rejected: boolean;
}

interface Admission {
  /** The input list as given (the incremental compiler's own copy, never changed). */
  resources: readonly StoredResource[];
  admitted: AdmittedInputs;
  /** `admitted.byKind` as entries (their keys, for binary search). */
  kindEntries: Map<ResourceKind, KeyedInput[]>;
  /** The inputs whose admission reported something (few: usually none). */
  notes: Map<StoredResource, Notes>;
}

/**
 * The admitted inputs of an incremental compiler's last compile, patched for
 * the next one when its input list differs only in a short stretch (a store
 * keeps an unchanged resource's object and its place: an edit replaces one,
 * an added file comes last). What differs is found by identity, from both
 * ends; only that stretch's inputs are checked, keyed and placed by binary
 * search, so admission costs one comparison per unchanged input rather than a
 * key lookup, a kind check and a list push each. Kinds whose inputs did not
 * change keep their lists (the same array, never changed once given out).
 *
 * The result is the one `admitInputs` gives for the same list, diagnostics
 * included (kept-admission.test.ts checks that over random edit sequences);
 * whenever it could differ (duplicate keys, a long changed stretch) the
 * compile admits in full and this starts again from its result.
 */
export class KeptAdmission {
  private last: Admission | undefined;
  /** Whether the last admission was patched (false: admitted in full). */
  patched = false;

  constructor(private readonly order: KeptInputOrder) {}

  /** Remembers a full admission (none when it found duplicates: those are admitted in full). */
  remember(
    resources: readonly StoredResource[],
    admitted: AdmittedInputs,
    reported: ReadonlyMap<StoredResource, Notes>,
    duplicates: boolean,
  ): void {
    if (duplicates) {
      this.last = undefined;
      return;
    }
    const kindEntries = new Map<ResourceKind, KeyedInput[]>();
    for (const entry of admitted.entries) {
      const list = kindEntries.get(entry.kind);
      if (list) list.push(entry);
      else kindEntries.set(entry.kind, [entry]);
    }
    this.last = { resources, admitted, kindEntries, notes: new Map(reported) };
  }

  /** The admitted inputs for `resources`, patched from the last ones; undefined when they must be admitted in full. */
  patch(
    resources: readonly StoredResource[],
    pipeline: Pipeline,
    report: ReportInput,
  ): AdmittedInputs | undefined {
    this.patched = false;
    const last = this.last;
    if (last === undefined) return undefined;
    const before = last.resources;
    const { head: start, tail } = sharedEnds(before, resources);
    const removedEnd = before.length - tail;
    const addedEnd = resources.length - tail;
    const changed = removedEnd - start + (addedEnd - start);
    if (changed === 0 && before.length === resources.length) return this.replay(last, report);
    if (changed > Math.max(16, resources.length >> 6)) return undefined;

    // The entry lists are this object's own: changed in place (a patch given up on below drops
    // them all). The input lists were given to passes, which may keep them: copied.
    this.last = undefined;
    const entries = last.admitted.entries;
    const inputs = last.admitted.inputs.slice();
    const kinds = new Map<ResourceKind, { entries: KeyedInput[]; list: StoredResource[] }>();
    const kindLists = (kind: ResourceKind) => {
      let lists = kinds.get(kind);
      if (lists === undefined) {
        lists = {
          entries: last.kindEntries.get(kind) ?? [],
          list: last.admitted.byKind.get(kind)?.slice() ?? [],
        };
        kinds.set(kind, lists);
      }
      return lists;
    };
    const notes = new Map(last.notes);
    for (let i = start; i < removedEnd; i++) {
      const stored = before[i]!;
      const noted = notes.get(stored);
      if (noted !== undefined) {
        notes.delete(stored);
        if (noted.rejected) continue;
      }
      const entry = this.order.entryOf(stored) as AdmittedEntry | undefined;
      if (entry === undefined) return undefined;
      const at = lowerBound(entries, entry);
      if (entries[at] !== entry) return undefined;
      entries.splice(at, 1);
      inputs.splice(at, 1);
      const lists = kindLists(entry.kind);
      const k = lowerBound(lists.entries, entry);
      if (lists.entries[k] !== entry) return undefined;
      lists.entries.splice(k, 1);
      lists.list.splice(k, 1);
    }
    const note = (stored: StoredResource, d: DiagnosticInput, rejected: boolean) => {
      const noted = notes.get(stored);
      if (noted === undefined) notes.set(stored, { diagnostics: [d], rejected });
      else noted.diagnostics.push(d);
    };
    for (let i = start; i < addedEnd; i++) {
      const stored = resources[i]!;
      if (!this.order.known(stored)) {
        const problem = invalidEnvelope(stored);
        if (problem) {
          if (notes.has(stored)) return undefined; // the same object twice
          note(stored, problem, true);
          continue;
        }
      }
      const entry = this.order.keyed(stored, (s) => keyOfResource(s.resource));
      if (entry.kind === undefined) entry.kind = kindOf(stored.resource);
      const at = lowerBound(entries, entry);
      // A duplicate key is admitted in full (which one wins, and its diagnostic).
      if (entries[at]?.key === entry.key || (at > 0 && entries[at - 1]!.key === entry.key)) return undefined;
      entries.splice(at, 0, entry as AdmittedEntry);
      inputs.splice(at, 0, stored);
      const lists = kindLists(entry.kind);
      const k = lowerBound(lists.entries, entry);
      lists.entries.splice(k, 0, entry);
      lists.list.splice(k, 0, stored);
      if (!pipeline.owners.has(entry.kind)) {
        reportUnhandled(stored, entry.kind, pipeline, (d) => note(stored, d, false));
      }
    }

    const byKind = new Map(last.admitted.byKind);
    const kindEntries = new Map(last.kindEntries);
    for (const [kind, lists] of kinds) {
      if (lists.list.length > 0) {
        byKind.set(kind, lists.list);
        kindEntries.set(kind, lists.entries);
      } else {
        byKind.delete(kind);
        kindEntries.delete(kind);
      }
    }
    const admitted: AdmittedInputs = { entries, inputs, byKind };
    this.order.forgetOrder();
    this.patched = true;
    this.last = { resources, admitted, kindEntries, notes };
    // Reported only now: a patch given up on above reports nothing (the full admission will).
    for (const [stored, noted] of notes) for (const d of noted.diagnostics) report(d, stored);
    return admitted;
  }

  /** The same inputs as last time: the same lists, the same diagnostics. */
  private replay(last: Admission, report: ReportInput): AdmittedInputs {
    this.patched = true;
    for (const [stored, noted] of last.notes) for (const d of noted.diagnostics) report(d, stored);
    return last.admitted;
  }
}

/** The first position whose entry does not sort before `entry` (compile()'s order). */
function lowerBound(sorted: readonly KeyedInput[], entry: KeyedInput): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeyed(sorted[mid]!, entry) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
