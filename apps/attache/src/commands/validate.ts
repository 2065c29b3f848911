import { parseArgs } from 'node:util';
import { compareDiagnostics, compile, hasErrors } from '@attache/core';
import { formatDiagnostics, summarize } from '../format-diagnostics.js';
import type { CliIO } from '../io.js';
import { loadOfflineInputs } from '../offline.js';

export const validateUsage = `usage: attache validate -f PATH… [--config attache.yaml] [--strict]

Compiles the resources for every ambassador_id of the config and prints each
problem as '<file>:<line>: <severity> <CODE>: <Kind ns/name> <field>: <message>',
then a summary. Exit code 1 when there are errors; with --strict, also when
there are warnings (an unknown or misspelled field, a path with no resources…).`;

export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f', multiple: true, default: [] },
      config: { type: 'string', short: 'c' },
      strict: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const inputs = await loadOfflineInputs(values.file, values.config, io);
  const seen = new Set<string>();
  const diagnostics = [...inputs.sourceDiagnostics];
  for (const ambassadorId of inputs.config.ambassadorIds) {
    for (const d of compile(inputs.resources, inputs.pipeline, { ambassadorId, now: Date.now() })
      .diagnostics) {
      const key = JSON.stringify([d.code, d.resource, d.path, d.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
  }
  diagnostics.sort(compareDiagnostics);
  io.stdout(formatDiagnostics(diagnostics));
  const failsStrict = values.strict && diagnostics.some((d) => d.severity === 'warning');
  io.stdout(
    `${summarize(diagnostics, inputs.resources.length)}${failsStrict && !hasErrors(diagnostics) ? '; --strict fails on warnings' : ''}\n`,
  );
  return hasErrors(diagnostics) || failsStrict ? 1 : 0;
}
