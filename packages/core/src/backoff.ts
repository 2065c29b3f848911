/** Exponential backoff: initial, doubling, capped; `reset()` after a success. */
export class Backoff {
  #next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.#next = initialMs;
  }

  /** The delay to wait now; the following one is twice as long (up to the cap). */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.#next * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.#next = this.initialMs;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
