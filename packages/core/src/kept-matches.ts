import type { PassMemo } from './pass-memo.js';
import { sharedEnds } from './shared-ends.js';

/**
 * The positions in a list of the items that pass a test, kept from one compile to the next
 * under an incremental compiler: a list that keeps an unchanged item's object and place (a
 * kind's inputs, the HTTP model's route sources) is compared with the last one by identity from
 * both ends, and only the items between are tested again. Most items of a large input use no
 * field of a feature, and testing each costs a read of an absent field from specs of hundreds
 * of shapes; an edit then costs an identity comparison per item. The test must read only the
 * item (items are never edited). Without a memo (a plain compile), every item is tested.
 *
 * Feature plugins use it to find the few Mappings that set their fields (feature-auth,
 * feature-grpc, feature-ratelimit).
 */
export class KeptMatches<T> {
  private list: readonly T[] = [];
  private positions: readonly number[] = [];

  constructor(private readonly test: (item: T) => boolean) {}

  /** The kept matches of the pass's memo under `key`, or a fresh one without a memo. */
  static of<T>(memo: PassMemo | undefined, key: object, test: (item: T) => boolean): KeptMatches<T> {
    return memo ? memo.reuse(key, '', () => new KeptMatches(test)) : new KeptMatches(test);
  }

  /** The positions in `now` of the items that pass the test, in order. */
  in(now: readonly T[]): readonly number[] {
    const before = this.list;
    const { head, tail } = sharedEnds(before, now);
    const last = this.positions;
    const out: number[] = [];
    let k = 0;
    for (; k < last.length && last[k]! < head; k++) out.push(last[k]!);
    const end = now.length - tail;
    for (let i = head; i < end; i++) if (this.test(now[i]!)) out.push(i);
    const lastEnd = before.length - tail;
    for (; k < last.length; k++) if (last[k]! >= lastEnd) out.push(last[k]! - lastEnd + end);
    this.list = now;
    this.positions = out;
    return out;
  }
}
