/**
 * A soft cap on response bytes being flushed at once, across all streams.
 * Pushing one big snapshot to thousands of streams would otherwise copy it
 * into every stream's HTTP/2 buffers in the same instant (peak memory of
 * streams × snapshot); with the cap, streams beyond it wait their turn, in
 * order. Bytes count until the transport flushed them — or, for a client too
 * slow to take them, until `releaseAfterMs`: its one response per type stays
 * buffered, but no longer holds up everyone else.
 */
export class SendBudget {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limitBytes: number,
    private readonly releaseAfterMs = 5_000,
  ) {}

  get available(): boolean {
    return this.inFlight < this.limitBytes;
  }

  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** Count `bytes` as being written; call the returned function when flushed (idempotent). */
  charge(bytes: number): () => void {
    this.inFlight += bytes;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.inFlight -= bytes;
      this.wake();
    };
    const timer = setTimeout(release, this.releaseAfterMs);
    timer.unref();
    return release;
  }

  /** Run `resume` once the budget has room (FIFO). */
  wait(resume: () => void): void {
    this.waiting.push(resume);
  }

  private wake(): void {
    while (this.available && this.waiting.length > 0) this.waiting.shift()?.();
  }
}
