#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const argv = process.argv.slice(2);

/**
 * `compile`, `validate` and `explain` run from the bundle the build writes beside this file
 * (scripts/bundle.mjs): the same modules in one script, which loads in about half the CPU.
 * Every other command runs the modules as tsc wrote them.
 */
const bundle = fileURLToPath(new URL('./offline-cli.bundle.cjs', import.meta.url));
const offline = argv[0] === 'compile' || argv[0] === 'validate' || argv[0] === 'explain';
if (offline && existsSync(bundle)) {
  // A run that ends once the output is written: V8 optimises a function only after it has run 16
  // times as long as by default (--interrupt-budget 67584), so that less CPU goes to optimising
  // code that runs too briefly to pay it back: about a third less CPU in all at 1,000 and 10,000
  // Mappings, the same at 30,000 (tools/bench/README.md, "## cli"). `serve` keeps V8's defaults.
  setFlagsFromString('--interrupt-budget=1081344');
  const { loadBundle } = await import('./load-bundle.js');
  const loaded = loadBundle<typeof import('./cli.js')>(bundle);
  process.exitCode = await loaded.exports.runCli(argv);
  // After a run that read inputs, so that the cache holds the functions compiling them.
  if (argv.some((arg) => arg.startsWith('-f') || arg.startsWith('--file'))) loaded.saveCodeCache();
  // The run is over once its output is written: it exits now, instead of letting the event loop
  // run what V8 still has queued for a heap about to be dropped (a scavenge, incremental marking)
  // and node tear that heap down page by page: 7-17 ms of CPU after the 'exit' event at 10,000
  // Mappings, 0-5 ms this way (/usr/bin/time against process.resourceUsage() at 'exit', 8 runs
  // each, session 10). Writes still under way (a pipe is asynchronous on macOS) are waited for
  // first; bundle.test.ts compares a large output with the unbundled CLI's.
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit();
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv);
}

/** Resolves once everything written to `stream` before it has been handed to the system (or failed). */
function written(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
