/**
 * How long a source's writes wait before a compile cycle that includes them
 * finishes (debounce + compile + publish): per cycle and source, from the
 * earliest write the cycle read to the cycle's end.
 */
export class WatchLag {
  /** Per source: times (epoch ms) of writes no finished cycle has read yet, oldest first. */
  readonly #pending = new Map<string, number[]>();

  wrote(source: string, at: number): void {
    const list = this.#pending.get(source);
    if (list) list.push(at);
    else this.#pending.set(source, [at]);
  }

  /** The lag per source of a cycle that read the store at `startedAt` and finished at `finishedAt`. */
  cycleFinished(startedAt: number, finishedAt: number): Map<string, number> {
    const lags = new Map<string, number>();
    for (const [source, writes] of this.#pending) {
      const later = writes.findIndex((t) => t > startedAt);
      const read = later < 0 ? writes.length : later;
      if (read === 0) continue;
      lags.set(source, Math.max(0, finishedAt - writes[0]!));
      if (read === writes.length) this.#pending.delete(source);
      else this.#pending.set(source, writes.slice(read));
    }
    return lags;
  }
}
