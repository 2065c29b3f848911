import { performance } from 'node:perf_hooks';
import {
  type CompileResult,
  canonicalJson,
  compile,
  createPipeline,
  type Pipeline,
  type Plugin,
  type StoredResource,
  TypeUrl,
} from '@attache/core';
import { type CompileScenario, type GeneratedCounts, generateCompileInputs } from './compile-inputs.js';

export interface MemorySample {
  /** Where in the run it was taken. */
  at: string;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface CompileMeasurement {
  scenario: string;
  description: string;
  inputs: GeneratedCounts & { total: number };
  runs: number;
  generateMs: number;
  firstRunMs: number;
  /** Median of `runs` compiles after the first (the warm-up). */
  medianMs: number;
  /**
   * CPU time (user + system) of the same compiles: on a shared machine wall
   * time includes waiting for a core, CPU time does not.
   */
  firstRunCpuMs: number;
  medianCpuMs: number;
  minMs: number;
  maxMs: number;
  /** Peak resident set of this process so far (resourceUsage().maxRSS), after the first compile and at the end. */
  maxRssAfterFirstBytes: number;
  maxRssBytes: number;
  memory: MemorySample[];
  envoyResources: Record<string, number>;
  envoyResourceTotal: number;
  routes: number;
  virtualHosts: number;
  outputBytes: number;
  diagnostics: { error: number; warning: number; info: number; byCode: Record<string, number> };
  /** Milliseconds per pass, from one extra instrumented compile, sorted by time. */
  passes: Array<{ id: string; phase: string; ms: number }>;
}

/**
 * Compiles one generated scenario `runs + 1` times in this process and
 * measures it. Run it in a fresh process per scenario (compile-child.ts):
 * maxRSS is a process-lifetime high-water mark.
 */
export function measureCompile(
  scenario: CompileScenario,
  plugins: readonly Plugin[],
  runs: number,
): CompileMeasurement {
  const memory: MemorySample[] = [];
  const sample = (at: string) => {
    const m = process.memoryUsage();
    memory.push({ at, rssBytes: m.rss, heapUsedBytes: m.heapUsed });
  };
  sample('start');
  const generateStart = performance.now();
  const { resources, counts } = generateCompileInputs(scenario);
  const generateMs = performance.now() - generateStart;
  sample('inputs generated');

  let result: ReturnType<typeof timedCompile> | undefined = timedCompile(resources, plugins);
  const firstRunMs = result.ms;
  const firstRunCpuMs = result.cpuMs;
  sample('after first compile');
  const maxRssAfterFirstBytes = process.resourceUsage().maxRSS * 1024;
  const outputStats = describeOutput(result);
  result = undefined;

  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Nothing keeps the previous result, so a run never holds two outputs at once.
    const { ms, cpuMs } = timedCompile(resources, plugins);
    times.push(ms);
    cpuTimes.push(cpuMs);
  }
  sample(`after ${runs} more compiles`);
  // With --expose-gc: what survives a full collection is retained by something (a cache), not garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    sample('after a full GC');
  }

  const passes = timePasses(resources, createPipeline(plugins));
  const sorted = [...times].sort((a, b) => a - b);
  return {
    scenario: scenario.name,
    description: scenario.description,
    inputs: { ...counts, total: resources.length },
    runs,
    generateMs,
    firstRunMs,
    medianMs: median(sorted),
    firstRunCpuMs,
    medianCpuMs: median([...cpuTimes].sort((a, b) => a - b)),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    maxRssAfterFirstBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    memory,
    ...outputStats,
    passes,
  };
}

function timedCompile(
  resources: readonly StoredResource[],
  plugins: readonly Plugin[],
): CompileResult & { ms: number; cpuMs: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = compile(resources, plugins);
  readServedFields(result);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return Object.assign(result, { ms, cpuMs: (cpu.user + cpu.system) / 1000 });
}

/**
 * Reads every resource's version and provenance, as every sink does: @attache/envoy makes them
 * when first read (lazyXdsResource), so a full compile's figure reads them to include them, as
 * it did when they were made eagerly (a one-shot `attache compile` never reads them).
 */
export function readServedFields(result: CompileResult): void {
  for (const list of Object.values(result.xds)) {
    for (const r of list)
      if (!r.version || !r.provenance) throw new Error(`${r.name}: no version or provenance`);
  }
}

export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type OutputStats = Pick<
  CompileMeasurement,
  'envoyResources' | 'envoyResourceTotal' | 'routes' | 'virtualHosts' | 'outputBytes' | 'diagnostics'
>;

export function describeOutput(result: CompileResult): OutputStats {
  const envoyResources: Record<string, number> = {};
  let envoyResourceTotal = 0;
  for (const [type, typeUrl] of Object.entries(TypeUrl)) {
    envoyResources[type] = result.xds[typeUrl].length;
    envoyResourceTotal += result.xds[typeUrl].length;
  }
  let routes = 0;
  let virtualHosts = 0;
  for (const rc of result.xds[TypeUrl.RouteConfiguration]) {
    const vhosts = field(rc.resource, 'virtualHosts', 'virtual_hosts');
    for (const vh of Array.isArray(vhosts) ? vhosts : []) {
      virtualHosts++;
      const list = field(vh, 'routes', 'routes');
      routes += Array.isArray(list) ? list.length : 0;
    }
  }
  const diagnostics = { error: 0, warning: 0, info: 0, byCode: {} as Record<string, number> };
  for (const d of result.diagnostics) {
    diagnostics[d.severity]++;
    diagnostics.byCode[d.code] = (diagnostics.byCode[d.code] ?? 0) + 1;
  }
  return {
    envoyResources,
    envoyResourceTotal,
    routes,
    virtualHosts,
    outputBytes: Buffer.byteLength(canonicalJson(result.xds)),
    diagnostics,
  };
}

function field(value: unknown, camel: string, snake: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  return record[camel] ?? record[snake];
}

/** One compile with every pass wrapped in a timer, to show where the time goes. */
function timePasses(resources: readonly StoredResource[], pipeline: Pipeline): CompileMeasurement['passes'] {
  const timings = pipeline.passes.map((p) => ({ id: p.id, phase: p.phase, ms: 0 }));
  const timed: Pipeline = {
    ...pipeline,
    passes: pipeline.passes.map((p, i) => ({
      ...p,
      run(ctx) {
        const start = performance.now();
        try {
          p.run(ctx);
        } finally {
          timings[i]!.ms += performance.now() - start;
        }
      },
    })),
  };
  compile(resources, timed);
  return timings.sort((a, b) => b.ms - a.ms);
}
