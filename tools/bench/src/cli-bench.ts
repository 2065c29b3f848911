import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mainThreadCollectionFlags } from '@attache/attache';
import { blockYaml } from './block-yaml.js';
import type { StagesReport } from './cli-stages.js';
import { generateCompileInputs } from './compile-inputs.js';
import { inputsAsYaml } from './compile-inputs-file.js';
import { median } from './compile-measure.js';

const usage = `usage: node tools/bench/dist/index.js cli [--mappings 1000,10000] [--hosts 10] [--runs 5] [--input yaml|json] [--cli PATH] [--baseline PATH] [--json]

The whole path of \`attache compile -f FILE\`, not only compile(): the generated input
(the compile benchmark's: --hosts TLS Hosts, N Mappings) written as one file of block YAML
(--input json: one JSON document per resource), then
  - its stages, in a fresh process (with the CLI's V8 setting): read, load reader, parse, load plugins, compile, lower, print,
    each with CPU and wall time and the memory after it;
  - the built CLI as users run it (node PATH compile -f FILE > /dev/null), --runs times:
    whole-process CPU (user + sys, every thread) and peak RSS, read by the process itself
    at exit (process.resourceUsage), with the targets of issue 15: CPU ≤ 1.0 s at 10,000
    Mappings and ≤ 0.4 s at 1,000, peak RSS ≤ 150 MiB at 10,000; and its start alone
    (compile --schedule), and the first run, before the CLI has a V8 code cache (each CLI
    gets an empty $ATTACHE_CACHE of its own).
--baseline PATH runs another build's main.js the same way, alternating with --cli
(default apps/attache/dist/main.js), and prints the ratios.`;

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const stagesChild = fileURLToPath(new URL('./cli-stages.js', import.meta.url));

/**
 * Loaded with -r into the measured CLI: its own CPU and peak RSS, on fd 3, as it exits. The
 * peak is the process's own high-water mark (VmHWM, Linux): getrusage's maxRSS of a spawned
 * child starts at its parent's RSS at fork, and this bench holds the generated input then.
 */
const preload = `process.on('exit', () => {
  const u = process.resourceUsage();
  let peakKiB = u.maxRSS;
  try {
    const hwm = /VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'));
    if (hwm) peakKiB = Number(hwm[1]);
  } catch {}
  try { require('node:fs').writeSync(3, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, sysMs: u.systemCPUTime / 1000, minorFaults: u.minorPageFault, maxRssMiB: peakKiB / 1024, rusageMaxRssMiB: u.maxRSS / 1024 }) + '\\n'); } catch {}
});
`;

interface ProcessRun {
  cpuMs: number;
  /** The kernel's part of cpuMs: mostly page faults (memory touched for the first time). */
  sysMs: number;
  minorFaults: number;
  maxRssMiB: number;
  wallMs: number;
  exitCode: number | null;
}

function runProcess(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; fd3: string; wallMs: number; exitCode: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let fd3 = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      fd3 += d;
    });
    child.on('error', reject);
    child.on('close', (exitCode) =>
      resolve({ stdout, fd3, wallMs: performance.now() - start, exitCode, stderr }),
    );
  });
}

/**
 * One run of `node CLI compile ARGS`. The CLI keeps V8's code cache of its bundle under
 * $ATTACHE_CACHE (apps/attache/src/load-bundle.ts): the benchmark gives it a folder of its own,
 * empty at first, so that the first run is a cold start and the others are warm, as for users.
 */
async function wholeProcess(
  cli: string,
  preloadFile: string,
  args: string[],
  cacheDir: string,
): Promise<ProcessRun> {
  // The CLI's output goes to a pipe we drain (as a shell pipeline would), not to a file.
  const run = await runProcess(['-r', preloadFile, cli, 'compile', ...args], {
    ...process.env,
    ATTACHE_CACHE: cacheDir,
  });
  const measured = JSON.parse(run.fd3.trim()) as {
    cpuMs: number;
    sysMs: number;
    minorFaults: number;
    maxRssMiB: number;
  };
  if (run.exitCode !== 0)
    throw new Error(`${cli} compile ${args.join(' ')} exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  return { ...measured, wallMs: run.wallMs, exitCode: run.exitCode };
}

interface SizeReport {
  mappings: number;
  hosts: number;
  input: string;
  fileBytes: number;
  stages: StagesReport;
  cli: {
    cpuMs: number[];
    sysMs: number[];
    minorFaults: number[];
    maxRssMiB: number[];
    startupCpuMs: number[];
    firstRunCpuMs: number;
  };
  baseline?: {
    cpuMs: number[];
    sysMs: number[];
    minorFaults: number[];
    maxRssMiB: number[];
    startupCpuMs: number[];
  };
}

const targets: Record<number, { cpuMs: number; rssMiB?: number }> = {
  1000: { cpuMs: 400 },
  10000: { cpuMs: 1000, rssMiB: 150 },
};

export async function runCliBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mappings: { type: 'string', default: '1000,10000' },
      hosts: { type: 'string', default: '10' },
      runs: { type: 'string', default: '5' },
      input: { type: 'string', default: 'yaml' },
      cli: { type: 'string', default: join(repoRoot, 'apps/attache/dist/main.js') },
      baseline: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const sizes = values.mappings.split(',').map(Number);
  const hosts = Number(values.hosts);
  const runs = Number(values.runs);
  if (values.input !== 'yaml' && values.input !== 'json') throw new Error(`--input must be yaml or json`);
  const dir = mkdtempSync(join(tmpdir(), 'attache-cli-bench-'));
  const preloadFile = join(dir, 'measure.cjs');
  writeFileSync(preloadFile, preload);
  const loadBefore = loadavg();
  const reports: SizeReport[] = [];
  try {
    for (const mappings of sizes) {
      const resources = generateCompileInputs({ hosts, mappings }).resources;
      const text =
        values.input === 'json'
          ? inputsAsYaml(resources)
          : resources.map((r) => `---\n${blockYaml(r.resource)}`).join('');
      const file = join(dir, `${hosts}x${mappings}.yaml`);
      writeFileSync(file, text);
      // With the V8 settings the CLI gives itself for compile and validate (apps/attache/src/main.ts,
      // and heap-policy.ts's collector on the main thread, set there before the inputs are read).
      const staged = await runProcess([
        '--interrupt-budget=1081344',
        ...mainThreadCollectionFlags.map((flag) => `--no-${flag}`),
        stagesChild,
        file,
      ]);
      if (staged.exitCode !== 0) throw new Error(`cli-stages failed: ${staged.stderr.slice(-2000)}`);
      const report: SizeReport = {
        mappings,
        hosts,
        input: values.input,
        fileBytes: Buffer.byteLength(text),
        stages: JSON.parse(staged.stdout.trim()) as StagesReport,
        cli: { cpuMs: [], sysMs: [], minorFaults: [], maxRssMiB: [], startupCpuMs: [], firstRunCpuMs: 0 },
      };
      if (values.baseline)
        report.baseline = { cpuMs: [], sysMs: [], minorFaults: [], maxRssMiB: [], startupCpuMs: [] };
      const cacheDir = join(dir, `cache-${mappings}`);
      const baseCacheDir = join(dir, `base-cache-${mappings}`);
      report.cli.firstRunCpuMs = (await wholeProcess(values.cli, preloadFile, ['-f', file], cacheDir)).cpuMs;
      if (values.baseline) await wholeProcess(values.baseline, preloadFile, ['-f', file], baseCacheDir);
      for (let i = 0; i < runs; i++) {
        const run = await wholeProcess(values.cli, preloadFile, ['-f', file], cacheDir);
        report.cli.cpuMs.push(run.cpuMs);
        report.cli.sysMs.push(run.sysMs);
        report.cli.minorFaults.push(run.minorFaults);
        report.cli.maxRssMiB.push(run.maxRssMiB);
        // Start alone: load the CLI and build the pipeline, no input (`compile --schedule`).
        report.cli.startupCpuMs.push(
          (await wholeProcess(values.cli, preloadFile, ['--schedule'], cacheDir)).cpuMs,
        );
        if (values.baseline && report.baseline) {
          const base = await wholeProcess(values.baseline, preloadFile, ['-f', file], baseCacheDir);
          report.baseline.cpuMs.push(base.cpuMs);
          report.baseline.sysMs.push(base.sysMs);
          report.baseline.minorFaults.push(base.minorFaults);
          report.baseline.maxRssMiB.push(base.maxRssMiB);
          report.baseline.startupCpuMs.push(
            (await wholeProcess(values.baseline, preloadFile, ['--schedule'], baseCacheDir)).cpuMs,
          );
        }
      }
      reports.push(report);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatCliReport(reports, argv, loadBefore, loadavg()));
}

const sortedMedian = (xs: readonly number[]) => median([...xs].sort((a, b) => a - b));

export function formatCliReport(
  reports: readonly SizeReport[],
  argv: readonly string[],
  loadBefore: readonly number[],
  loadAfter: readonly number[],
): string {
  const out: string[] = [
    `cli: node tools/bench/dist/index.js cli ${argv.join(' ')}`.trimEnd(),
    `  ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, node ${process.version}, load average ${loadBefore[0]!.toFixed(1)} → ${loadAfter[0]!.toFixed(1)}`,
  ];
  const f = (x: number) => x.toFixed(0);
  for (const r of reports) {
    out.push(
      '',
      `${r.hosts} Hosts × ${r.mappings} Mappings: ${r.stages.resources} resources, ${(r.fileBytes / 1024 / 1024).toFixed(1)} MiB of ${r.input === 'json' ? 'JSON documents' : 'block YAML'} in, ${(r.stages.outputBytes / 1024 / 1024).toFixed(1)} MiB of JSON out`,
      '  stage          CPU ms   wall ms   heap MiB   RSS MiB   (one fresh process, stages in order)',
    );
    for (const s of r.stages.stages) {
      out.push(
        `  ${s.stage.padEnd(13)} ${f(s.cpuMs).padStart(7)} ${f(s.wallMs).padStart(9)} ${f(s.heapUsedMiB).padStart(10)} ${f(s.rssMiB).padStart(9)}`,
      );
    }
    const total = r.stages.stages.reduce((sum, s) => sum + s.cpuMs, 0);
    out.push(`  stages total  ${f(total).padStart(7)}             peak RSS ${f(r.stages.maxRssMiB)} MiB`);
    if (r.stages.servingOnly) {
      out.push(
        `  not paid by the CLI: every resource's version and provenance, made when first read (as serve does): ${f(r.stages.servingOnly.cpuMs)} ms CPU`,
      );
    }
    const cpu = r.cli.cpuMs;
    const rss = r.cli.maxRssMiB;
    const target = targets[r.mappings];
    out.push(
      `  whole process (${cpu.length} runs of the built CLI): CPU median ${f(sortedMedian(cpu))} ms (${f(Math.min(...cpu))}–${f(Math.max(...cpu))})${target ? ` — target ≤ ${target.cpuMs} ms` : ''}; peak RSS median ${f(sortedMedian(rss))} MiB (max ${f(Math.max(...rss))})${target?.rssMiB ? ` — target ≤ ${target.rssMiB} MiB` : ''}`,
      `  of that CPU, the kernel's (sys): median ${f(sortedMedian(r.cli.sysMs))} ms, with ${f(sortedMedian(r.cli.minorFaults))} minor page faults (memory touched for the first time)`,
      `  its start alone (compile --schedule: load, build the pipeline): CPU median ${f(sortedMedian(r.cli.startupCpuMs))} ms; the first run, before any code cache: ${f(r.cli.firstRunCpuMs)} ms`,
    );
    if (r.baseline) {
      const b = r.baseline;
      out.push(
        `  baseline: CPU median ${f(sortedMedian(b.cpuMs))} ms (sys ${f(sortedMedian(b.sysMs))} ms, ${f(sortedMedian(b.minorFaults))} minor faults; start alone ${f(sortedMedian(b.startupCpuMs))} ms), peak RSS median ${f(sortedMedian(b.maxRssMiB))} MiB → this build uses ${(sortedMedian(cpu) / sortedMedian(b.cpuMs)).toFixed(2)}× the CPU (start ${(sortedMedian(r.cli.startupCpuMs) / sortedMedian(b.startupCpuMs)).toFixed(2)}×) and ${(sortedMedian(rss) / sortedMedian(b.maxRssMiB)).toFixed(2)}× the memory`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
