/**
 * Entry of the child process that measures one scenario: a fresh process per
 * scenario so peak RSS belongs to that scenario alone. Prints one JSON line
 * (a CompileMeasurement) on stdout for compile-bench.ts.
 */
import { findScenario } from './compile-inputs.js';
import { measureCompile } from './compile-measure.js';
import { compilePlugins } from './compile-plugins.js';

function main(argv: string[]): void {
  const [scenarioName, runsText] = argv;
  const scenario = scenarioName ? findScenario(scenarioName) : undefined;
  const runs = Number(runsText);
  if (!scenario || !Number.isInteger(runs) || runs < 1) {
    throw new Error(`usage: compile-child.js <scenario> <runs>, got ${argv.join(' ')}`);
  }
  process.stdout.write(`${JSON.stringify(measureCompile(scenario, compilePlugins, runs))}\n`);
}

main(process.argv.slice(2));
