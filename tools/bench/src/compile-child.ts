/**
 * Entry of the child process that measures one scenario: a fresh process per
 * scenario so peak RSS belongs to that scenario alone. Prints one JSON line
 * (a CompileMeasurement, or { error }) on stdout for compile-bench.ts.
 */
import { findScenario } from './compile-inputs.js';
import { measureCompile } from './compile-measure.js';
import { loadCompilePlugins } from './compile-plugins.js';

async function main(argv: string[]): Promise<void> {
  const [scenarioName, runsText] = argv;
  const scenario = scenarioName ? findScenario(scenarioName) : undefined;
  const runs = Number(runsText);
  if (!scenario || !Number.isInteger(runs) || runs < 1) {
    throw new Error(`usage: compile-child.js <scenario> <runs>, got ${argv.join(' ')}`);
  }
  const loaded = await loadCompilePlugins();
  if ('missing' in loaded) {
    process.stdout.write(`${JSON.stringify({ error: loaded.missing.join('; ') })}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(measureCompile(scenario, loaded.plugins, runs))}\n`);
}

await main(process.argv.slice(2));
