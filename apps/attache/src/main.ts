#!/usr/bin/env node
// Node's modules come from process.getBuiltinModule, not from import statements: Node makes each
// one an ES module imports a facade of all its exports (node:fs's reads each lazy getter, loading
// streams), ~5 ms of a run's start here and in load-bundle.ts (20 alternated pairs of two small
// entry scripts, session 13). The bundle takes them with require. Node 20 before 20.16 has no
// getBuiltinModule: there they are imported.
const getBuiltin = process.getBuiltinModule as typeof process.getBuiltinModule | undefined;
const { existsSync } = getBuiltin ? getBuiltin('node:fs') : await import('node:fs');
const { fileURLToPath } = getBuiltin ? getBuiltin('node:url') : await import('node:url');

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
  const { setFlagsFromString } = getBuiltin ? getBuiltin('node:v8') : await import('node:v8');
  setFlagsFromString('--interrupt-budget=1081344');
  const { loadBundle } = await import('./load-bundle.js');
  const loaded = loadBundle<typeof import('./cli.js')>(bundle);
  const streams = stdioStreamsUsed();
  process.exitCode = await loaded.exports.runCli(argv);
  // After a run that read inputs, so that the cache holds the functions compiling them.
  if (argv.some((arg) => arg.startsWith('-f') || arg.startsWith('--file'))) loaded.saveCodeCache();
  // The run is over once its output is written: it exits now, instead of letting the event loop
  // run what V8 still has queued for a heap about to be dropped (a scavenge, incremental marking)
  // and node tear that heap down page by page: 7-17 ms of CPU after the 'exit' event at 10,000
  // Mappings, 0-5 ms this way (/usr/bin/time against process.resourceUsage() at 'exit', 8 runs
  // each, session 10). Writes still under way (a pipe is asynchronous on macOS) are waited for
  // first; bundle.test.ts compares a large output with the unbundled CLI's. Only streams the run
  // made can hold such writes: stdout to a file or a device is written with writeSync (io.ts), and
  // a run without diagnostics writes nothing to stderr, so neither is made only to be waited on
  // (making both took ~4 ms of CPU, 15 alternated runs of a small script, session 14).
  await Promise.all(streams().map(written));
  process.exit();
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv);
}

/**
 * Which of process.stdout and process.stderr are read from now on (node makes each stream when it
 * is first read; one already made, or not made by node's getter, counts as read).
 */
function stdioStreamsUsed(): () => NodeJS.WritableStream[] {
  const used = new Set<'stdout' | 'stderr'>();
  for (const name of ['stdout', 'stderr'] as const) {
    const own = Object.getOwnPropertyDescriptor(process, name);
    const get = own?.get;
    if (!own?.configurable || !get) {
      used.add(name);
      continue;
    }
    Object.defineProperty(process, name, {
      ...own,
      get() {
        used.add(name);
        return get.call(process);
      },
    });
  }
  return () => [...used].map((name) => process[name]);
}

/** Resolves once everything written to `stream` before it has been handed to the system (or failed). */
function written(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
