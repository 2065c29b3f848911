import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  compile,
  createIncrementalCompiler,
  createPipeline,
  type Pipeline,
  type StoredResource,
} from '@attache/core';
import { generateCompileInputs } from './compile-inputs.js';
import { readServedFields } from './compile-measure.js';
import { compilePlugins } from './compile-plugins.js';
import { type CpuProfile, formatCpuProfileSummary, summarizeCpuProfile } from './cpuprofile-summary.js';
import { formatHeapSamples, type HeapSampleNode, summarizeHeapSamples } from './heap-samples.js';
import { EditableInputs, resultBytes, runDifferential, seededRandom } from './incremental-differential.js';

const usageText = `usage: node tools/bench/dist/index.js incremental [options]
  --shapes LIST   <hosts>x<mappings>, comma-separated (default 10x10000,100x10000,5000x100,1000x1500)
  --edits N       single-Mapping edits measured per shape (default 15: change, add, delete in turn)
  --full-runs N   full compiles measured per shape (default 5)
  --check N       differential steps (random edits of every kind, compared byte for byte with a
                  full compile) on a 10x1000 input (default 200; 0 skips)
  --seed N        seed of the edits (default 15)
  --cpu-prof DIR  a V8 CPU profile of each shape's edits (incremental compiles only), written to
                  DIR/incremental-<shape>.cpuprofile and summarised
  --heap-sample   where each shape's edits allocate (V8's sampling heap profiler, every 1 KiB,
                  objects collected by GC included): KiB per edit by site; the edits' times then
                  include the sampler's cost, so read them from a run without it
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Milliseconds per pass over one compile, largest first. */
function timedPipeline(pipeline: Pipeline): { pipeline: Pipeline; take(): Array<[string, number]> } {
  const ms = new Map<string, number>();
  return {
    pipeline: {
      ...pipeline,
      passes: pipeline.passes.map((p) => ({
        ...p,
        run(ctx) {
          const start = performance.now();
          try {
            p.run(ctx);
          } finally {
            ms.set(p.id, (ms.get(p.id) ?? 0) + performance.now() - start);
          }
        },
      })),
    },
    take() {
      const out = [...ms].sort((a, b) => b[1] - a[1]);
      ms.clear();
      return out;
    },
  };
}

/**
 * One Mapping edited, added or removed among many: the incremental compiler
 * (createIncrementalCompiler: memoised admission, unchanged inputs skipped)
 * against a full compile of the same inputs, in the same process and run.
 * Figures are printed, never asserted.
 */
export async function runIncrementalBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      shapes: { type: 'string', default: '10x10000,100x10000,5000x100,1000x1500' },
      edits: { type: 'string', default: '15' },
      'full-runs': { type: 'string', default: '5' },
      check: { type: 'string', default: '200' },
      seed: { type: 'string', default: '15' },
      'cpu-prof': { type: 'string' },
      'heap-sample': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usageText);
    return;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const seed = Number(values.seed);
  const rows: string[] = [];
  const profiles: CpuProfile[] = [];
  for (const shape of values.shapes.split(',')) {
    const [hosts, mappings] = shape.split('x').map(Number) as [number, number];
    const generated = generateCompileInputs({ hosts, mappings }).resources;
    const pipeline = createPipeline(compilePlugins);
    // Full compiles: the current path, the reference of every ratio.
    const full: number[] = [];
    const fullCpu: number[] = [];
    compile(generated, pipeline);
    for (let i = 0; i < Number(values['full-runs']); i++) {
      const c = cpuMs();
      const t = performance.now();
      readServedFields(compile(generated, pipeline));
      full.push(performance.now() - t);
      fullCpu.push(cpuMs() - c);
    }
    // Incremental: one warm compile, then single-Mapping edits.
    const timing = timedPipeline(pipeline);
    const incremental = createIncrementalCompiler(timing.pipeline);
    const random = seededRandom(seed);
    const inputs = new EditableInputs(generated, hosts, random);
    incremental.compile(inputs.list());
    timing.take();
    const wall: number[] = [];
    const cpu: number[] = [];
    const passTotals = new Map<string, number>();
    const kinds = ['change', 'add', 'delete'] as const;
    let checked = 0;
    let equal = 0;
    const profiler = values['cpu-prof'] === undefined ? undefined : new Session();
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    const sampler = values['heap-sample'] ? new Session() : undefined;
    const heapSamples: HeapSampleNode[] = [];
    if (sampler) {
      sampler.connect();
      await sampler.post('HeapProfiler.enable');
    }
    for (let i = 0; i < Number(values.edits); i++) {
      inputs.apply(kinds[i % kinds.length] as (typeof kinds)[number]);
      const list: StoredResource[] = inputs.list();
      if (profiler) await profiler.post('Profiler.start');
      if (sampler) {
        await sampler.post('HeapProfiler.startSampling', {
          samplingInterval: 1024,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      }
      const c = cpuMs();
      const t = performance.now();
      const result = incremental.compile(list);
      wall.push(performance.now() - t);
      cpu.push(cpuMs() - c);
      if (profiler) profiles.push((await profiler.post('Profiler.stop')).profile as CpuProfile);
      if (sampler)
        heapSamples.push((await sampler.post('HeapProfiler.stopSampling')).profile.head as HeapSampleNode);
      for (const [id, ms] of timing.take()) passTotals.set(id, (passTotals.get(id) ?? 0) + ms);
      if (i < 3) {
        checked++;
        if (resultBytes(result) === resultBytes(compile(list, pipeline))) equal++;
      }
    }
    const edits = wall.length;
    if (profiler && values['cpu-prof'] !== undefined) {
      profiler.disconnect();
      const merged = mergeProfiles(profiles.splice(0));
      const file = join(values['cpu-prof'], `incremental-${shape}.cpuprofile`);
      mkdirSync(values['cpu-prof'], { recursive: true });
      writeFileSync(file, JSON.stringify(merged));
      out(`cpu profile of ${edits} edits on ${shape}: ${file}`);
      out(formatCpuProfileSummary(summarizeCpuProfile(merged, { root: resolve('.'), top: 25 })));
    }
    if (sampler) {
      sampler.disconnect();
      out(`heap samples of ${edits} edits on ${shape}:`);
      out(
        formatHeapSamples(summarizeHeapSamples(heapSamples, { root: resolve('.'), top: 20 }), edits, 'edit'),
      );
    }
    const topPasses = [...passTotals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([id, ms]) => `${id} ${(ms / edits).toFixed(1)} ms`)
      .join(', ');
    out(`incremental ${shape}: ${generated.length} inputs`);
    out(
      `  full compile        median ${median(full).toFixed(0)} ms wall, ${median(fullCpu).toFixed(0)} ms CPU (${full.length} runs)`,
    );
    out(
      `  one-Mapping edit    median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU (${edits} edits: change, add, delete) — target ≤ 20 ms and ≤ 5 % of a full compile's CPU`,
    );
    out(
      `  ratio               ${((median(cpu) / median(fullCpu)) * 100).toFixed(1)} % of a full compile's CPU`,
    );
    out(`  equal to a full compile: ${equal} of ${checked} checked edits`);
    out(`  slowest passes per edit: ${topPasses}`);
    rows.push(
      `| ${shape} | ${median(fullCpu).toFixed(0)} ms | ${median(cpu).toFixed(1)} ms | ${((median(cpu) / median(fullCpu)) * 100).toFixed(1)} % | ${median(wall).toFixed(1)} ms |`,
    );
  }
  out(
    '\n| shape (Hosts x Mappings) | full compile CPU (median) | one-Mapping edit CPU (median) | ratio | edit wall (median) |',
  );
  out('|---|---|---|---|---|');
  for (const row of rows) out(row);

  const checkSteps = Number(values.check);
  if (checkSteps > 0) {
    const started = performance.now();
    const steps = runDifferential({
      seed,
      steps: checkSteps,
      hosts: 10,
      mappings: 1000,
      plugins: compilePlugins,
    });
    const different = steps.filter((s) => !s.equal);
    out(
      `\ndifferential check: ${steps.length} random edits (seed ${seed}, every kind) on 10x1000, ${different.length === 0 ? 'every result equal to a full compile byte for byte' : `DIFFERENT at step ${different[0]?.step}: ${different[0]?.edit}`} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    if (different.length > 0) process.exitCode = 1;
  }
}

/** The edits' profiles as one: each profile's node ids shifted past the last's, under one root. */
function mergeProfiles(profiles: CpuProfile[]): CpuProfile {
  const root = {
    id: 1,
    callFrame: { functionName: '(root)', url: '', lineNumber: -1 },
    children: [] as number[],
  };
  const nodes: CpuProfile['nodes'] = [root];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let offset = 1;
  for (const p of profiles) {
    let max = 0;
    for (const n of p.nodes) {
      max = Math.max(max, n.id);
      nodes.push({ ...n, id: n.id + offset, children: n.children?.map((c) => c + offset) });
    }
    root.children.push((p.nodes[0]?.id ?? 0) + offset);
    for (const s of p.samples) samples.push(s + offset);
    timeDeltas.push(...p.timeDeltas);
    offset += max;
  }
  return { nodes, samples, timeDeltas, startTime: 0, endTime: timeDeltas.reduce((a, b) => a + b, 0) };
}
