#!/usr/bin/env node
import { existsSync } from 'node:fs';

const argv = process.argv.slice(2);

/**
 * `compile` and `validate` run from the bundle the build writes beside this file
 * (scripts/bundle.mjs): the same modules in one file, which loads in about half the CPU.
 * Every other command runs the modules as tsc wrote them.
 */
const bundle = new URL('./offline-cli.bundle.js', import.meta.url);
const cli: typeof import('./cli.js') =
  (argv[0] === 'compile' || argv[0] === 'validate') && existsSync(bundle)
    ? await import(bundle.href)
    : await import('./cli.js');

process.exitCode = await cli.runCli(argv);
