import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compileScenarios } from './compile-inputs.js';
import { type CompileMode, startServeHarness } from './serve-harness.js';

const usage = `usage: node tools/bench/dist/index.js soak [options]
  --scenario NAME   ${compileScenarios.map((s) => s.name).join(', ')} (default 10x10000)
  --cycles N        recompiles, one Mapping changed each (default 200)
  --warmup N        recompiles before the start figure is taken (default 10)
  --mode MODE       worker (serve's default) or main (default worker)
  --malloc-arena-max N
                    MALLOC_ARENA_MAX of the measured process, as deploy/ sets it (default 2;
                    0 leaves glibc's default: one arena per thread, which lets memory freed
                    across threads pile up)
  --json            print the figures as JSON

Recompiles in a bounded loop the way serve does (runtime, ADS sink, admin
server) in a child process and reports its resident set at start (after the
warm-up, once V8 has sized its heaps) and end: it must stay flat (within
15 %); the exit code is 1 when it does not.
`;

/** Set in the measured child, which runs the loop itself. */
const childMarker = 'ATTACHE_SOAK_CHILD';

const flatWithin = 0.15;

export interface SoakFigures {
  scenario: string;
  mode: CompileMode;
  cycles: number;
  warmup: number;
  startRssBytes: number;
  endRssBytes: number;
  minRssBytes: number;
  maxRssBytes: number;
  /** Main-thread heap in use after a full GC, at start and end: live objects only. */
  startHeapBytes: number;
  endHeapBytes: number;
  /** The compile worker's heap after a full GC, at start and end (worker mode). */
  startWorkerHeapBytes?: number;
  endWorkerHeapBytes?: number;
  seconds: number;
}

/** A full GC of this thread's heap, without starting node with --expose-gc. */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function runSoak(
  scenario: string,
  mode: CompileMode,
  cycles: number,
  warmup: number,
): Promise<SoakFigures> {
  const started = performance.now();
  fullGc(); // also exposes gc to the compile worker, started after this
  const harness = await startServeHarness(scenario, mode);
  const worker = () => harness.runtime.compileWorker;
  let edit = 0;
  await harness.edit(edit++);
  for (let i = 0; i < warmup; i++) await harness.edit(edit++);
  // The worker's live heap: it collects its garbage and reports.
  const startWorkerHeap = (await worker()?.measureHeap())?.heapUsedBytes;
  fullGc();
  const startRss = process.memoryUsage().rss;
  const startHeap = process.memoryUsage().heapUsed;
  let min = startRss;
  let max = startRss;
  for (let i = 0; i < cycles; i++) {
    await harness.edit(edit++);
    const rss = process.memoryUsage().rss;
    min = Math.min(min, rss);
    max = Math.max(max, rss);
  }
  const endWorkerHeap = (await worker()?.measureHeap())?.heapUsedBytes;
  fullGc();
  const end = process.memoryUsage();
  await harness.stop();
  return {
    scenario,
    mode,
    cycles,
    warmup,
    startRssBytes: startRss,
    endRssBytes: end.rss,
    minRssBytes: Math.min(min, end.rss),
    maxRssBytes: Math.max(max, end.rss),
    startHeapBytes: startHeap,
    endHeapBytes: end.heapUsed,
    seconds: (performance.now() - started) / 1000,
    ...(startWorkerHeap !== undefined && endWorkerHeap !== undefined
      ? { startWorkerHeapBytes: startWorkerHeap, endWorkerHeapBytes: endWorkerHeap }
      : {}),
  };
}

export function soakIsFlat(f: SoakFigures): boolean {
  return Math.abs(f.endRssBytes - f.startRssBytes) <= flatWithin * f.startRssBytes;
}

export function formatSoak(f: SoakFigures): string {
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  const change = ((f.endRssBytes - f.startRssBytes) / f.startRssBytes) * 100;
  return [
    `soak ${f.scenario}, compile ${f.mode === 'worker' ? 'in a worker thread' : 'in the main thread'}: ${f.cycles} recompiles after ${f.warmup} warm-up (${f.seconds.toFixed(0)} s)`,
    `  RSS                start ${mib(f.startRssBytes)}, end ${mib(f.endRssBytes)} (${change >= 0 ? '+' : ''}${change.toFixed(1)} %); min ${mib(f.minRssBytes)}, max ${mib(f.maxRssBytes)} during the run`,
    `  heap after full GC start ${mib(f.startHeapBytes)}, end ${mib(f.endHeapBytes)} (main thread)${
      f.startWorkerHeapBytes !== undefined && f.endWorkerHeapBytes !== undefined
        ? `; start ${mib(f.startWorkerHeapBytes)}, end ${mib(f.endWorkerHeapBytes)} (compile worker)`
        : ''
    }`,
    `  target             RSS flat within ${flatWithin * 100} %: ${soakIsFlat(f) ? 'met' : 'missed'}`,
  ].join('\n');
}

export async function runSoakBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: '10x10000' },
      cycles: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '10' },
      mode: { type: 'string', default: 'worker' },
      'malloc-arena-max': { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const cycles = Number(values.cycles);
  const warmup = Number(values.warmup);
  const mode = values.mode;
  const arenas = Number(values['malloc-arena-max']);
  if (
    !Number.isInteger(arenas) ||
    arenas < 0 ||
    !Number.isInteger(cycles) ||
    cycles < 1 ||
    !Number.isInteger(warmup) ||
    warmup < 0 ||
    (mode !== 'worker' && mode !== 'main') ||
    !compileScenarios.some((s) => s.name === values.scenario)
  ) {
    process.stderr.write(usage);
    process.exitCode = 2;
    return;
  }
  if (process.env[childMarker] === undefined) {
    // glibc reads MALLOC_ARENA_MAX at start-up: measure in a child started with it.
    process.exitCode = await inChild(argv, arenas);
    return;
  }
  const figures = await runSoak(values.scenario, mode, cycles, warmup);
  process.stdout.write(values.json ? `${JSON.stringify(figures, null, 2)}\n` : `${formatSoak(figures)}\n`);
  if (!soakIsFlat(figures)) process.exitCode = 1;
}

function inChild(argv: readonly string[], arenas: number): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, [childMarker]: '1' };
  if (arenas > 0) env.MALLOC_ARENA_MAX = String(arenas);
  else delete env.MALLOC_ARENA_MAX;
  if (!argv.includes('--json')) {
    process.stdout.write(
      `soak: measuring in a child process with MALLOC_ARENA_MAX=${env.MALLOC_ARENA_MAX ?? 'unset'}\n`,
    );
  }
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'soak', ...argv], {
    env,
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}
