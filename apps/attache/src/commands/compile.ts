import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  canonicalJson,
  compareDiagnostics,
  compile,
  hasErrors,
  type ScheduledPass,
  xdsPushOrder,
} from '@attache/core';
import { stringify as toYaml } from 'yaml';
import { formatDiagnostics } from '../format-diagnostics.js';
import { type CliIO, UsageError } from '../io.js';
import { loadOfflineInputs, loadPipeline } from '../offline.js';

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
  const inputs = await loadOfflineInputs(values.file, values.config, io);
  const ambassadorId = values['ambassador-id'] ?? inputs.config.ambassadorIds[0] ?? 'default';
  const result = compile(inputs.resources, inputs.pipeline, { ambassadorId });
  const document = values.ir
    ? result.ir
    : Object.fromEntries(xdsPushOrder.map((t) => [t, result.xds[t].map((r) => r.resource)]));
  // Canonical key order either way, so the output diffs cleanly between runs.
  const text =
    values.format === 'yaml'
      ? toYaml(JSON.parse(canonicalJson(document)))
      : `${canonicalJson(document, 2)}\n`;
  if (values.out) writeFileSync(resolve(io.cwd, values.out), text);
  else io.stdout(text);
  const diagnostics = [...inputs.sourceDiagnostics, ...result.diagnostics].sort(compareDiagnostics);
  io.stderr(formatDiagnostics(diagnostics));
  return hasErrors(diagnostics) ? 1 : 0;
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
