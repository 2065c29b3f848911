import { type PassContext, type PassMemo, type StoredResource, sharedEnds } from '@attache/core';

/**
 * A per-resource pass over one kind kept between compiles of an incremental
 * compiler, as a list: the inputs of a kind come sorted, and an edit changes a
 * few of them, so the results of the common head and tail of the last list are
 * taken as they were (one identity comparison each) and only the middle part is
 * looked up in the pass memo or computed. The diagnostics of the resources that
 * reported some are replayed through the memo (a hit reports them again), so
 * the result and the reports are those of calling `memo.reuse` for every
 * resource. Valid for one salt (everything the results depend on besides the
 * resource, as for `memo.reuse`).
 */
export class KeptIngest<T> {
  private last:
    | {
        salt: string;
        stored: readonly StoredResource[];
        results: ReadonlyArray<T | undefined>;
        reporting: ReadonlySet<StoredResource>;
      }
    | undefined;

  /** The results of `compute` per resource, in order, without the undefined ones. */
  run(
    ctx: Pick<PassContext, 'diagnostics'>,
    memo: PassMemo,
    salt: string,
    stored: readonly StoredResource[],
    compute: (stored: StoredResource) => T | undefined,
  ): T[] {
    const reporting = new Set<StoredResource>();
    const results: Array<T | undefined> = [];
    const one = (s: StoredResource): T | undefined => {
      const before = ctx.diagnostics.length;
      const value = memo.reuse(s, salt, () => compute(s));
      if (ctx.diagnostics.length > before) reporting.add(s);
      return value;
    };
    const last = this.last?.salt === salt ? this.last : undefined;
    if (last === undefined) {
      for (const s of stored) results.push(one(s));
    } else {
      const { head: start, tail } = sharedEnds(last.stored, stored);
      for (let i = 0; i < start; i++) results.push(last.results[i]);
      for (let i = start; i < stored.length - tail; i++) results.push(one(stored[i]!));
      for (let i = last.stored.length - tail; i < last.stored.length; i++) results.push(last.results[i]);
      // The head's and tail's diagnostics, reported again (the middle's were, by `one`).
      const middle = new Set(stored.slice(start, stored.length - tail));
      const lastMiddle = new Set(last.stored.slice(start, last.stored.length - tail));
      for (const s of last.reporting) {
        if (lastMiddle.has(s) || middle.has(s)) continue;
        memo.reuse(s, salt, () => compute(s));
        reporting.add(s);
      }
    }
    this.last = { salt, stored, results, reporting };
    const out: T[] = [];
    for (const r of results) if (r !== undefined) out.push(r);
    return out;
  }
}
