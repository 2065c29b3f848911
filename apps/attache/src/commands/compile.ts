import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  canonicalJson,
  compareDiagnostics,
  compile,
  type Diagnostic,
  hasErrors,
  type ScheduledPass,
  xdsPushOrder,
} from '@attache/core';
import { formatDiagnostics } from '../format-diagnostics.js';
import {
  collectingBeforeLowering,
  collectOnMainThread,
  largeInputResources,
  restoreV8Flags,
  stopYoungGenerationGrowth,
} from '../heap-policy.js';
import { type CliIO, UsageError } from '../io.js';
import { loadOfflineInputs, loadPipeline, type OfflineInputs } from '../offline.js';
import { canonicalDocumentPieces, inBatches, writePiece } from '../print-document.js';

export const compileUsage = `usage: attache compile -f PATH… [--format json|yaml] [--ir] [--out FILE] [--config attache.yaml] [--ambassador-id ID]
       attache compile --schedule [--config attache.yaml]

Compiles the resources in the given files and directories and prints the Envoy
resources by type URL (or the IR with --ir). Diagnostics go to stderr; the exit
code is 1 when there are errors (everything else is still compiled and printed).
--schedule prints the passes in the order they run, with what each reads and
writes and why it runs where it does.`;

export async function compileCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f', multiple: true, default: [] },
      format: { type: 'string', default: 'json' },
      ir: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      config: { type: 'string', short: 'c' },
      'ambassador-id': { type: 'string' },
      schedule: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.format !== 'json' && values.format !== 'yaml') {
    throw new UsageError(`--format must be json or yaml, not '${values.format}'`);
  }
  if (values.schedule) {
    const { pipeline } = await loadPipeline(values.config, io);
    io.stdout(formatSchedule(pipeline.passes));
    return 0;
  }
  try {
    collectOnMainThread();
    return await compileAndPrint(values, io);
  } finally {
    restoreV8Flags();
  }
}

async function compileAndPrint(
  values: {
    file: string[];
    format: string;
    ir: boolean;
    out?: string;
    config?: string;
    'ambassador-id'?: string;
  },
  io: CliIO,
): Promise<number> {
  const { document, diagnostics } = compileInputs(
    await loadOfflineInputs(values.file, values.config, io),
    values['ambassador-id'],
    values.ir,
  );
  // Canonical key order either way, so the output diffs cleanly between runs. Envoy resources as
  // JSON, the usual case and the large one, are written a resource at a time (text, and the bytes
  // of text kept for a second use: canonicalDocumentPieces).
  const chunks: Iterable<string | Buffer> =
    values.format === 'yaml'
      ? [(await import('yaml')).stringify(JSON.parse(canonicalJson(document)))]
      : values.ir
        ? [`${canonicalJson(document, 2)}\n`]
        : canonicalDocumentPieces(document as Record<string, unknown[]>);
  if (values.out) {
    const fd = openSync(resolve(io.cwd, values.out), 'w');
    try {
      for (const piece of inBatches(chunks)) writePiece(fd, piece);
    } finally {
      closeSync(fd);
    }
  } else {
    for (const piece of inBatches(chunks)) {
      if (typeof piece === 'string') io.stdout(piece);
      else if (io.stdoutBytes) io.stdoutBytes(piece);
      else io.stdout(piece.toString('utf8'));
      await io.stdoutDrain?.();
    }
  }
  io.stderr(formatDiagnostics(diagnostics));
  return hasErrors(diagnostics) ? 1 : 0;
}

/**
 * Compiles and keeps only what is printed: the inputs and the IR (unless it
 * is what is printed) are garbage once this returns, while the output is written.
 */
function compileInputs(
  inputs: OfflineInputs,
  ambassadorIdOption: string | undefined,
  ir: boolean,
): { document: object; diagnostics: Diagnostic[] } {
  const ambassadorId = ambassadorIdOption ?? inputs.config.ambassadorIds[0] ?? 'default';
  const stopYoungGrowth = !stopYoungGenerationGrowth() && inputs.resources.length >= largeInputResources;
  const pipeline = collectingBeforeLowering(inputs.pipeline, { stopYoungGrowth });
  const result = compile(inputs.resources, pipeline, { ambassadorId });
  const document = ir
    ? result.ir
    : Object.fromEntries(xdsPushOrder.map((t) => [t, result.xds[t].map((r) => r.resource)]));
  return {
    document,
    diagnostics: [...inputs.sourceDiagnostics, ...result.diagnostics].sort(compareDiagnostics),
  };
}

/** One pass per line in run order; its facets and its reason below. */
export function formatSchedule(passes: readonly ScheduledPass[]): string {
  const width = Math.max(0, ...passes.map((p) => p.id.length));
  const facets = (list: readonly string[]) => (list.length ? list.join(', ') : '-');
  return passes
    .map((p) => {
      const head = `${p.phase.padEnd(8)} ${p.id.padEnd(width)}  reads: ${facets(p.reads)}  writes: ${facets(p.writes)}\n`;
      return p.reason ? `${head}${' '.repeat(9)}why: ${p.reason}\n` : head;
    })
    .join('');
}
