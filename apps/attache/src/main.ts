#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);

/**
 * `compile` and `validate` run from the bundle the build writes beside this file
 * (scripts/bundle.mjs): the same modules in one script, which loads in about half the CPU.
 * Every other command runs the modules as tsc wrote them.
 */
const bundle = fileURLToPath(new URL('./offline-cli.bundle.cjs', import.meta.url));
if ((argv[0] === 'compile' || argv[0] === 'validate') && existsSync(bundle)) {
  const { loadBundle } = await import('./load-bundle.js');
  const loaded = loadBundle<typeof import('./cli.js')>(bundle);
  process.exitCode = await loaded.exports.runCli(argv);
  // After a run that read inputs, so that the cache holds the functions compiling them.
  if (argv.some((arg) => arg.startsWith('-f') || arg.startsWith('--file'))) loaded.saveCodeCache();
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv);
}
