/**
 * Child process of the `cli` benchmark: the stages of `attache compile -f FILE`
 * one after the other, in a fresh process, each with its CPU time, wall time
 * and memory afterwards. The stages do what the CLI does, with the same
 * modules: read the file, load source-file, parse the file, load the distribution's
 * plugins and build the pipeline, compile (every pass but Envoy lowering),
 * lower (the `envoy.lower` pass: lowering, strict validation), print
 * (the canonical JSON the CLI writes, to /dev/null); then, outside the CLI's stages, reading
 * every resource's version and provenance (what serve pays). Prints one JSON line.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Pipeline } from '@attache/core';

export interface StageFigures {
  stage: string;
  cpuMs: number;
  wallMs: number;
  heapUsedMiB: number;
  rssMiB: number;
}

export interface StagesReport {
  stages: StageFigures[];
  /**
   * Reading every resource's version and provenance after printing: what `serve` pays (its sinks
   * read both) and `attache compile` does not (@attache/envoy computes them when first read).
   */
  servingOnly?: StageFigures;
  resources: number;
  outputBytes: number;
  maxRssMiB: number;
}

const mib = (bytes: number) => bytes / 1024 / 1024;

async function main(file: string): Promise<void> {
  const stages: StageFigures[] = [];
  const stage = async <T>(name: string, run: () => T | Promise<T>, cpuCorrection = 0): Promise<T> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const out = await run();
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const memory = process.memoryUsage();
    stages.push({
      stage: name,
      cpuMs: (used.user + used.system) / 1000 - cpuCorrection,
      wallMs,
      heapUsedMiB: mib(memory.heapUsed),
      rssMiB: mib(memory.rss),
    });
    return out;
  };

  // Let go once used (set to undefined), as the CLI lets its inputs go.
  // The file's bytes and their strict UTF-8 text, as source-file's readResourceFile has them: the
  // block reader cuts long values out of the bytes of an ASCII file.
  let { bytes, text }: { bytes?: Buffer; text?: string } = await stage('read', () => {
    const read = readFileSync(file);
    return { bytes: read, text: new TextDecoder('utf-8', { fatal: true }).decode(read) };
  });
  // Loading source-file (and core) is a stage of its own: here the modules load unbundled, and
  // the parse figure is the reading alone, as in the CLI, whose bundle is loaded at its start.
  const { parseResourceFile } = await stage('load reader', () => import('@attache/plugin-source-file'));
  let parsed: ReturnType<typeof parseResourceFile> | undefined = await stage('parse', () =>
    parseResourceFile(file, text!, bytes),
  );
  text = undefined;
  bytes = undefined;
  const resources = parsed.resources.length;
  const pipeline = await stage('load plugins', async () => {
    const { createPipeline } = await import('@attache/core');
    const { loadDistribution } = await import('@attache/attache');
    return createPipeline((await loadDistribution()).plugins);
  });

  // compile() with the lower pass timed on its own: 'compile' is the rest. With the CLI's heap
  // policy (apps/attache/src/heap-policy.ts): the young generation stops growing once the inputs
  // are read, and a full GC runs before lowering (inside 'lower') when the heap is large; none
  // before printing (the CLI has made none there since 4a1657b).
  const { compile, xdsPushOrder } = await import('@attache/core');
  const heap = await import('@attache/attache');
  let lowerCpuMs = 0;
  let lowerWallMs = 0;
  const collecting = heap.collectingBeforeLowering(pipeline);
  const timedLower: Pipeline = {
    ...collecting,
    passes: collecting.passes.map((p) =>
      p.phase !== 'lower'
        ? p
        : {
            ...p,
            run(ctx) {
              const cpu = process.cpuUsage();
              const start = performance.now();
              p.run(ctx);
              lowerWallMs += performance.now() - start;
              const used = process.cpuUsage(cpu);
              lowerCpuMs += (used.user + used.system) / 1000;
            },
          },
    ),
  };
  heap.stopYoungGenerationGrowth();
  // Only the Envoy resources are kept (the versions stage reads them), not the IR: as in the CLI.
  const { xds } = await stage('compile', () =>
    compile(parsed!.resources, timedLower, { ambassadorId: 'default' }),
  );
  parsed = undefined;
  const compiled = stages.at(-1)!;
  compiled.cpuMs -= lowerCpuMs;
  compiled.wallMs -= lowerWallMs;
  stages.push({ ...compiled, stage: 'lower', cpuMs: lowerCpuMs, wallMs: lowerWallMs });

  let outputBytes = 0;
  await stage('print', async () => {
    // As apps/attache/src/commands/compile.ts writes to a file: text, and the kept bytes of a
    // shared route list as they are (not decoded into a string again).
    const { canonicalDocumentPieces, inBatches, writePiece } = await import('@attache/attache');
    const document = Object.fromEntries(xdsPushOrder.map((t) => [t, xds[t].map((r) => r.resource)]));
    const fd = openSync('/dev/null', 'w');
    try {
      for (const piece of inBatches(canonicalDocumentPieces(document))) {
        outputBytes += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
        writePiece(fd, piece);
      }
    } finally {
      closeSync(fd);
    }
  });
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  heap.restoreV8Flags();
  // Not a stage of the CLI: measured after it, and left out of its total and its peak RSS.
  await stage('versions', () => {
    let n = 0;
    for (const t of xdsPushOrder) for (const r of xds[t]) n += r.version.length + r.provenance.length;
    return n;
  });
  const servingOnly = stages.pop();
  const report: StagesReport = {
    stages,
    ...(servingOnly ? { servingOnly } : {}),
    resources,
    outputBytes,
    maxRssMiB,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const file = process.argv[2];
if (!file) throw new Error('usage: cli-stages.js FILE');
await main(file);
