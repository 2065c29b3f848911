/**
 * Cuts a long loop into short tasks: `maybeYield()` lets the event loop run
 * (timers, sockets, health probes) once `sliceMs` have passed since the last
 * turn, and costs a clock read otherwise.
 */
export class EventLoopSlicer {
  #since = performance.now();

  constructor(private readonly sliceMs = 8) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}
