/**
 * Status writes, one at a time, at most `perSecond` writes per second. Jobs
 * are keyed: a newer job for the same object replaces a pending one, so a
 * burst of compiles costs one write per object. A job returns whether it
 * wrote; skipped writes ("nothing changed") cost no rate budget.
 */
export class RateLimitedWriteQueue {
  readonly #pending = new Map<string, () => Promise<boolean>>();
  readonly #intervalMs: number;
  #draining: Promise<void> | undefined;
  #stopped = false;
  #onError: (key: string, err: unknown) => void;

  constructor(perSecond: number, onError: (key: string, err: unknown) => void) {
    this.#intervalMs = 1000 / perSecond;
    this.#onError = onError;
  }

  get size(): number {
    return this.#pending.size;
  }

  enqueue(key: string, job: () => Promise<boolean>): void {
    if (this.#stopped) return;
    this.#pending.set(key, job);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#pending.size && !this.#stopped) this.enqueue(...this.#shift());
    });
  }

  clear(): void {
    this.#pending.clear();
  }

  /** Resolves when every queued job has run (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  stop(): void {
    this.#stopped = true;
    this.#pending.clear();
  }

  #shift(): [string, () => Promise<boolean>] {
    const [entry] = this.#pending.entries();
    if (!entry) throw new Error('shift on an empty queue');
    this.#pending.delete(entry[0]);
    return entry;
  }

  async #drain(): Promise<void> {
    while (this.#pending.size && !this.#stopped) {
      const [key, job] = this.#shift();
      let wrote = false;
      try {
        wrote = await job();
      } catch (err) {
        this.#onError(key, err);
        wrote = true;
      }
      if (wrote && this.#pending.size) await new Promise((r) => setTimeout(r, this.#intervalMs));
    }
  }
}
