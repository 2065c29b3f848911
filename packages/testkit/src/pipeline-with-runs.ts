import type { Pipeline, RegisteredPass } from '@attache/core';

/**
 * The pipeline with the named passes running another function (a test's reference version of a
 * pass: the same pass deciding for every item, with no shortcut), every other pass as it is.
 */
export function pipelineWithRuns(
  pipeline: Pipeline,
  runs: Readonly<Record<string, RegisteredPass['run']>>,
): Pipeline {
  return {
    ...pipeline,
    passes: pipeline.passes.map((p) => {
      const run = runs[p.id];
      return run ? { ...p, run } : p;
    }),
  };
}
