import type { Snapshot } from '@attache/core';

/**
 * One finished compile cycle, as the runtime reports it (its CycleResult has
 * these fields). The admin server keeps the recent ones and turns them into metrics.
 */
export interface CycleRecord {
  /** Snapshots that changed and were handed to the sinks. */
  published: readonly Snapshot[];
  /** Every group's current snapshot. */
  snapshots: ReadonlyMap<string, Snapshot>;
  /** When the cycle read the store (epoch ms). */
  startedAt: number;
  compileMs: number;
  passMs: Readonly<Record<string, number>>;
}
