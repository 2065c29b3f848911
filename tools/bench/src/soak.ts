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
  --json            print the figures as JSON

Recompiles in a bounded loop the way serve does (runtime, ADS sink, admin
server) and reports the resident set at start and end: it must stay flat
(within 15 %); the exit code is 1 when it does not.
`;

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
  const harness = await startServeHarness(scenario, mode);
  let edit = 0;
  await harness.edit(edit++);
  for (let i = 0; i < warmup; i++) await harness.edit(edit++);
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
    `  heap after full GC start ${mib(f.startHeapBytes)}, end ${mib(f.endHeapBytes)} (main thread)`,
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
  if (
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
  const figures = await runSoak(values.scenario, mode, cycles, warmup);
  process.stdout.write(values.json ? `${JSON.stringify(figures, null, 2)}\n` : `${formatSoak(figures)}\n`);
  if (!soakIsFlat(figures)) process.exitCode = 1;
}
