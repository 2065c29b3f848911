import type { Pipeline } from '@attache/core';

/** A pipeline whose passes add their run time to a tally, for the per-pass compile metrics. */
export interface TimedPipeline {
  readonly pipeline: Pipeline;
  /** Milliseconds per pass id since the last take() (a pass run twice, as after a failed pass, counts twice); resets the tally. */
  take(): Record<string, number>;
}

/**
 * Wraps every pass's run() with a clock. The compiler stays clock-free: the
 * time is read here, around the passes, and never reaches them or their output.
 */
export function timePasses(pipeline: Pipeline): TimedPipeline {
  let tally: Record<string, number> = {};
  const passes = pipeline.passes.map((pass) => {
    const run = pass.run;
    const timed: typeof pass = {
      ...pass,
      run: (ctx) => {
        const started = performance.now();
        try {
          return run(ctx);
        } finally {
          tally[pass.id] = (tally[pass.id] ?? 0) + (performance.now() - started);
        }
      },
    };
    return timed;
  });
  return {
    pipeline: { ...pipeline, passes },
    take() {
      const taken = tally;
      tally = {};
      return taken;
    },
  };
}
