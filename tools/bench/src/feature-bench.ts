import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  type CompileResult,
  compile,
  createPipeline,
  type Pipeline,
  type Plugin,
  type StoredResource,
} from '@attache/core';
import { generateCompileInputs } from './compile-inputs.js';
import { median, readServedFields } from './compile-measure.js';
import { compilePlugins } from './compile-plugins.js';

/**
 * What a feature plugin adds to a compile, measured the same way for every
 * feature (auth, rate limit, and the ones to come): the compile benchmark's
 * input compiled with http + envoy, and the same input with the feature's
 * resources and fields compiled with http + <feature> + envoy.
 */
export interface FeatureBench {
  /** The subcommand, e.g. 'auth'. */
  name: string;
  usage: string;
  plugin: Plugin;
  /** The input with the feature's resources and fields added (the base input is not modified). */
  withFeature(resources: readonly StoredResource[]): StoredResource[];
  /** What the input is, one line (after '<name>: <hosts> Hosts, <mappings> Mappings'). */
  describeInput: string;
  /** Proof that the feature did its work in `result`: counts (routes carrying its config, filters…). */
  check(result: CompileResult): Record<string, number>;
  /** Those counts in words, one line. */
  checkLine(figures: Record<string, number>): string;
  /** What the base is, for the report ('no auth'). */
  baseLabel: string;
}

interface PassSample {
  id: string;
  cpuMs: number;
}

/** One compile with the CPU time of each pass (process.cpuUsage around each, microseconds of overhead). */
export function timedCompile(
  resources: readonly StoredResource[],
  pipeline: Pipeline,
): { ms: number; cpuMs: number; passes: PassSample[]; result: CompileResult } {
  const passes: PassSample[] = [];
  const instrumented: Pipeline = {
    ...pipeline,
    passes: pipeline.passes.map((p) => ({
      ...p,
      run(ctx) {
        const cpu = process.cpuUsage();
        try {
          p.run(ctx);
        } finally {
          const used = process.cpuUsage(cpu);
          passes.push({ id: p.id, cpuMs: (used.user + used.system) / 1000 });
        }
      },
    })),
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = compile(resources, instrumented);
  // Versions and provenance are made when first read: read them, as every sink does.
  readServedFields(result);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, passes, result };
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** CPU per pass id over runs, median and minimum (a pass that ran twice in one compile counts its sum). */
function passFigures(runs: readonly PassSample[][]): Map<string, { median: number; min: number }> {
  const byId = new Map<string, number[]>();
  for (const run of runs) {
    const sums = new Map<string, number>();
    for (const p of run) sums.set(p.id, (sums.get(p.id) ?? 0) + p.cpuMs);
    for (const [id, ms] of sums) byId.set(id, [...(byId.get(id) ?? []), ms]);
  }
  return new Map([...byId].map(([id, xs]) => [id, { median: median(sorted(xs)), min: Math.min(...xs) }]));
}

export interface FeatureBenchReport {
  input: { hosts: number; mappings: number; resources: number };
  check: Record<string, number>;
  errorDiagnostics: number;
  runs: number;
  baseMedianMs: number;
  featureMedianMs: number;
  baseMedianCpuMs: number;
  featureMedianCpuMs: number;
  addedPercent: number;
  addedCpuPercent: number;
  /** Minimum CPU over the runs: on a busy machine the least disturbed run. */
  baseMinCpuMs: number;
  featureMinCpuMs: number;
  /** The feature plugin's own passes: median and minimum CPU of each. */
  featurePasses: Array<{ id: string; cpuMs: number; minCpuMs: number }>;
  /** featurePasses' sum as a share of the base compile's median CPU, in percent. */
  featurePassesPercent: number;
  /** The same with minimums (passes' minimum CPU over the base compile's minimum). */
  featurePassesMinPercent: number;
  /** Every other pass whose median CPU changed by 1 ms or more, feature minus base. */
  otherPasses: Array<{ id: string; baseCpuMs: number; featureCpuMs: number }>;
}

/** Runs base and feature compiles alternately in one process after a warm-up of each. */
export function measureFeature(
  bench: FeatureBench,
  opts: { hosts: number; mappings: number; runs: number },
): FeatureBenchReport {
  const base = generateCompileInputs({ hosts: opts.hosts, mappings: opts.mappings }).resources;
  const withFeature = bench.withFeature(base);
  const basePipeline = createPipeline([...compilePlugins]);
  const featurePipeline = createPipeline([...compilePlugins, bench.plugin]);

  // Warm-up, and a check that the feature really did its work.
  timedCompile(base, basePipeline);
  const check = timedCompile(withFeature, featurePipeline).result;
  const checked = bench.check(check);
  const errors = check.diagnostics.filter((d) => d.severity === 'error').length;

  const b: Array<ReturnType<typeof timedCompile>> = [];
  const f: Array<ReturnType<typeof timedCompile>> = [];
  for (let i = 0; i < opts.runs; i++) {
    b.push(timedCompile(base, basePipeline));
    f.push(timedCompile(withFeature, featurePipeline));
  }
  const basePasses = passFigures(b.map((r) => r.passes));
  const featurePassFigures = passFigures(f.map((r) => r.passes));
  const prefix = `${bench.plugin.id}.`;
  const featurePasses = [...featurePassFigures]
    .filter(([id]) => id.startsWith(prefix))
    .map(([id, cpu]) => ({ id, cpuMs: cpu.median, minCpuMs: cpu.min }));
  const otherPasses = [...featurePassFigures]
    .filter(([id]) => !id.startsWith(prefix))
    .map(([id, cpu]) => ({ id, baseCpuMs: basePasses.get(id)?.median ?? 0, featureCpuMs: cpu.median }))
    .filter((p) => Math.abs(p.featureCpuMs - p.baseCpuMs) >= 1)
    .sort((x, y) => y.featureCpuMs - y.baseCpuMs - (x.featureCpuMs - x.baseCpuMs));
  const baseMedianMs = median(sorted(b.map((r) => r.ms)));
  const featureMedianMs = median(sorted(f.map((r) => r.ms)));
  const baseMedianCpuMs = median(sorted(b.map((r) => r.cpuMs)));
  const featureMedianCpuMs = median(sorted(f.map((r) => r.cpuMs)));
  const baseMinCpuMs = Math.min(...b.map((r) => r.cpuMs));
  const featureMinCpuMs = Math.min(...f.map((r) => r.cpuMs));
  const passSum = featurePasses.reduce((s, p) => s + p.cpuMs, 0);
  const passMinSum = featurePasses.reduce((s, p) => s + p.minCpuMs, 0);
  return {
    input: { hosts: opts.hosts, mappings: opts.mappings, resources: withFeature.length },
    check: checked,
    errorDiagnostics: errors,
    runs: opts.runs,
    baseMedianMs,
    featureMedianMs,
    baseMedianCpuMs,
    featureMedianCpuMs,
    addedPercent: (featureMedianMs / baseMedianMs - 1) * 100,
    addedCpuPercent: (featureMedianCpuMs / baseMedianCpuMs - 1) * 100,
    baseMinCpuMs,
    featureMinCpuMs,
    featurePasses,
    featurePassesPercent: (passSum / baseMedianCpuMs) * 100,
    featurePassesMinPercent: (passMinSum / baseMinCpuMs) * 100,
    otherPasses,
  };
}

export function formatFeatureReport(bench: FeatureBench, report: FeatureBenchReport): string {
  const f = (x: number) => x.toFixed(0);
  const { hosts, mappings } = report.input;
  const pad = (s: string) => s.padEnd(44);
  return [
    `${bench.name}: ${hosts} Hosts, ${mappings} Mappings ${bench.describeInput}; ${report.runs} alternating runs`,
    `  ${bench.checkLine(report.check)}; error diagnostics: ${report.errorDiagnostics}`,
    `  ${pad(`http + envoy (${bench.baseLabel}):`)} median ${f(report.baseMedianMs)} ms wall, ${f(report.baseMedianCpuMs)} ms CPU (min ${f(report.baseMinCpuMs)})`,
    `  ${pad(`http + ${bench.plugin.id} + envoy:`)} median ${f(report.featureMedianMs)} ms wall, ${f(report.featureMedianCpuMs)} ms CPU (min ${f(report.featureMinCpuMs)})`,
    `  added: ${report.addedPercent.toFixed(1)} % wall, ${report.addedCpuPercent.toFixed(1)} % CPU (minimums: ${((report.featureMinCpuMs / report.baseMinCpuMs - 1) * 100).toFixed(1)} %)`,
    `  ${bench.plugin.id} passes, CPU median (min): ${report.featurePasses.map((p) => `${p.id} ${p.cpuMs.toFixed(1)} (${p.minCpuMs.toFixed(1)}) ms`).join(', ')} = ${report.featurePassesPercent.toFixed(1)} % (${report.featurePassesMinPercent.toFixed(1)} %) of the base compile's CPU (target < 10 %)`,
    `  other passes, base → with ${bench.plugin.id} (median CPU): ${
      report.otherPasses.length === 0
        ? 'no change of 1 ms or more'
        : report.otherPasses
            .map(
              (p) =>
                `${p.id} ${f(p.baseCpuMs)} → ${f(p.featureCpuMs)} ms (${p.featureCpuMs >= p.baseCpuMs ? '+' : ''}${f(p.featureCpuMs - p.baseCpuMs)})`,
            )
            .join(', ')
    }`,
    '',
  ].join('\n');
}

/** The command-line entry of a feature benchmark: `node tools/bench/dist/index.js <name> [options]`. */
export async function runFeatureBench(bench: FeatureBench, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mappings: { type: 'string', default: '10000' },
      hosts: { type: 'string', default: '10' },
      runs: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${bench.usage}\n`);
    return;
  }
  const opts = { mappings: Number(values.mappings), hosts: Number(values.hosts), runs: Number(values.runs) };
  const report = measureFeature(bench, opts);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `${formatFeatureReport(bench, report)}  (node tools/bench/dist/index.js ${[bench.name, ...argv].join(' ')}, ${new Date().toISOString().slice(0, 16)} UTC, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n`,
  );
}
