import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { compileScenarios } from './compile-inputs.js';
import { type CompileMode, startServeHarness } from './serve-harness.js';

const usage = `usage: node tools/bench/dist/index.js responsiveness [options]
  --scenario NAME   ${compileScenarios.map((s) => s.name).join(', ')} (default 10x10000)
  --edits N         recompiles after the initial load, one Mapping changed each (default 5)
  --mode MODE       worker (serve's default), main (compile in the event loop's thread) or both (default)
  --reread          every edit writes all inputs as new objects of the same content but one, as a
                    file source does after re-reading the one file that holds them all
  --json            print the figures as JSON

Runs the runtime with the ADS sink and the admin server, and probes /healthz
every 10 ms from another thread while it compiles: how long did a probe wait?
`;

/** The target of issue 10: /healthz answers in under 100 ms during any compile. */
const targetMs = 100;
const probeTimeoutMs = 2_000;

interface Probe {
  /** Absolute start time (ms since the epoch, sub-millisecond). */
  at: number;
  ms: number;
  ok: boolean;
}

export interface ProbeStats {
  probes: number;
  timedOut: number;
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
}

export interface ResponsivenessFigures {
  mode: CompileMode;
  scenario: string;
  /** Every edit wrote all inputs as new objects (--reread). */
  reread: boolean;
  resources: number;
  firstCycleMs: number;
  editCycleMs: number[];
  /** Probes that started during the first cycle (cold start: every resource compiled and encoded). */
  first: ProbeStats;
  /** Probes that started during the edit cycles (one Mapping changed each). */
  edits: ProbeStats;
}

const proberSource = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true;
parentPort.on('message', () => { running = false; });
(async () => {
  const batch = [];
  while (running) {
    const at = performance.timeOrigin + performance.now();
    let ok = false;
    try {
      const res = await fetch(workerData.url, { signal: AbortSignal.timeout(workerData.timeoutMs) });
      await res.text();
      ok = res.ok;
    } catch {}
    batch.push({ at, ms: performance.timeOrigin + performance.now() - at, ok });
    if (batch.length >= 20) parentPort.postMessage(batch.splice(0));
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage(batch.splice(0));
  parentPort.postMessage('done');
})();
`;

function probeStats(probes: readonly Probe[], cycles: ReadonlyArray<[number, number]>): ProbeStats {
  const during = probes.filter((p) => cycles.some(([from, to]) => p.at >= from && p.at <= to));
  const sorted = during.map((p) => (p.ok ? p.ms : probeTimeoutMs)).sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    probes: during.length,
    timedOut: during.filter((p) => !p.ok).length,
    maxMs: sorted.at(-1) ?? 0,
    p99Ms: pick(0.99),
    p50Ms: pick(0.5),
  };
}

async function measure(
  scenario: string,
  mode: CompileMode,
  edits: number,
  reread: boolean,
): Promise<ResponsivenessFigures> {
  const harness = await startServeHarness(scenario, mode);
  const probes: Probe[] = [];
  const prober = new Worker(proberSource, {
    eval: true,
    workerData: { url: `${harness.adminUrl}/healthz`, timeoutMs: probeTimeoutMs },
  });
  const finished = new Promise<void>((resolve) => {
    prober.on('message', (m: Probe[] | 'done') => {
      if (m === 'done') resolve();
      else probes.push(...m);
    });
  });
  const now = () => performance.timeOrigin + performance.now();
  const cycles: Array<[number, number]> = [];
  // Let the prober warm up (its first fetch opens the connection) before the first compile.
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i <= edits; i++) {
    const inputs = harness.inputsFor(i, reread);
    const start = now();
    await harness.publish(inputs);
    cycles.push([start, now()]);
    await new Promise((r) => setTimeout(r, 200));
  }
  prober.postMessage('stop');
  await finished;
  await prober.terminate();
  await harness.stop();
  return {
    mode,
    scenario,
    reread,
    resources: harness.resources,
    firstCycleMs: cycles[0]![1] - cycles[0]![0],
    editCycleMs: cycles.slice(1).map(([from, to]) => to - from),
    first: probeStats(probes, cycles.slice(0, 1)),
    edits: probeStats(probes, cycles.slice(1)),
  };
}

export function formatResponsiveness(f: ResponsivenessFigures): string {
  const median = [...f.editCycleMs].sort((a, b) => a - b)[Math.floor(f.editCycleMs.length / 2)] ?? 0;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const line = (p: ProbeStats) =>
    `${p.probes} probes: p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms, ${p.timedOut} timed out (> ${probeTimeoutMs} ms)`;
  const verdict = (p: ProbeStats) => (p.timedOut === 0 && p.maxMs < targetMs ? 'met' : 'missed');
  return [
    `responsiveness ${f.scenario} (${f.resources} resources), compile ${f.mode === 'worker' ? 'in a worker thread' : 'in the main thread'}`,
    `  first cycle        ${seconds(f.firstCycleMs)} (cold: everything compiled and encoded)`,
    `    /healthz         ${line(f.first)}`,
    `  edit cycles        ${f.editCycleMs.length}, median ${seconds(median)} (one Mapping changed each${f.reread ? '; every input written again as a new object' : ''})`,
    `    /healthz         ${line(f.edits)}`,
    `  target             every probe < ${targetMs} ms: first cycle ${verdict(f.first)}, edits ${verdict(f.edits)}`,
  ].join('\n');
}

export async function runResponsivenessBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: '10x10000' },
      edits: { type: 'string', default: '5' },
      mode: { type: 'string', default: 'both' },
      reread: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const edits = Number(values.edits);
  const modes: CompileMode[] =
    values.mode === 'both'
      ? ['worker', 'main']
      : values.mode === 'worker' || values.mode === 'main'
        ? [values.mode]
        : [];
  if (
    !Number.isInteger(edits) ||
    edits < 0 ||
    modes.length === 0 ||
    !compileScenarios.some((s) => s.name === values.scenario)
  ) {
    process.stderr.write(usage);
    process.exitCode = 2;
    return;
  }
  const results: ResponsivenessFigures[] = [];
  for (const mode of modes) {
    const figures = await measure(values.scenario, mode, edits, values.reread);
    results.push(figures);
    if (!values.json) process.stdout.write(`${formatResponsiveness(figures)}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
