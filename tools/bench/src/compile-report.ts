import type { CompileMeasurement } from './compile-measure.js';

/** The targets from the design brief, printed next to the figures and never asserted. */
export const compileTargets: Readonly<Record<string, { seconds: number; mebibytes?: number }>> = {
  '10x10000': { seconds: 0.5, mebibytes: 230 },
  // Issue 15: the many-Hosts shape of Emissary #4471.
  '1000x1500': { seconds: 0.3 },
};

const MiB = 1024 * 1024;

export function formatCompileMeasurement(m: CompileMeasurement): string {
  const target = compileTargets[m.scenario];
  const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  const vs = (text: string, ok: boolean, limit: string) =>
    `${text.padEnd(12)} target ≤ ${limit}: ${ok ? 'met' : 'MISSED'}`;
  const lines = [
    `compile ${m.scenario}: ${m.description}`,
    `  inputs             ${m.inputs.total} resources (${m.inputs.listeners} Listeners, ${m.inputs.hosts} Hosts, ${m.inputs.secrets} Secrets, ${m.inputs.tlsContexts} TLSContext, ${m.inputs.mappings} Mappings of which ${m.inputs.wildcardMappings} hostname '*', ${m.inputs.regexMappings} regex, ${m.inputs.canaryMappings} canary); generated in ${seconds(m.generateMs)}`,
    `  compile, median    ${target ? vs(seconds(m.medianMs), m.medianMs <= target.seconds * 1000, `${target.seconds} s`) : seconds(m.medianMs)}  (${m.runs} runs after warm-up, min ${seconds(m.minMs)}, max ${seconds(m.maxMs)})`,
    `  compile, first run ${seconds(m.firstRunMs)}`,
    `  CPU time           median ${target ? vs(seconds(m.medianCpuMs), m.medianCpuMs <= target.seconds * 1000, `${target.seconds} s`) : seconds(m.medianCpuMs)}, first run ${seconds(m.firstRunCpuMs)} (user + system; wall time above also counts waiting for a core)`,
    `  peak RSS           ${target?.mebibytes !== undefined ? vs(mib(m.maxRssAfterFirstBytes), m.maxRssAfterFirstBytes <= target.mebibytes * MiB, `${target.mebibytes} MiB`) : mib(m.maxRssAfterFirstBytes)}  (maxRSS after the first compile; ${mib(m.maxRssBytes)} after all runs)`,
    // Per route and per byte of output, so that shapes compare: linear means these stay put.
    `  per unit of output ${((m.medianCpuMs * 1000) / Math.max(1, m.routes)).toFixed(1)} µs CPU per route, ${(m.medianCpuMs / Math.max(1, m.outputBytes / MiB)).toFixed(1)} ms CPU per MiB of output`,
    `  RSS sampled        ${m.memory.map((s) => `${s.at} ${mib(s.rssBytes)} (heap ${mib(s.heapUsedBytes)})`).join('; ')}`,
    `  Envoy resources    ${m.envoyResourceTotal} (${Object.entries(m.envoyResources)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ')}); ${m.virtualHosts} virtual hosts, ${m.routes} routes`,
    `  output size        ${m.outputBytes} bytes of canonical JSON (${mib(m.outputBytes)})`,
    `  diagnostics        ${m.diagnostics.error} errors, ${m.diagnostics.warning} warnings, ${m.diagnostics.info} info${formatCodes(m.diagnostics.byCode)}`,
    `  slowest passes     ${m.passes
      .slice(0, 6)
      .map((p) => `${p.id} ${p.ms.toFixed(0)} ms`)
      .join(', ')}`,
  ];
  return lines.join('\n');
}

function formatCodes(byCode: Record<string, number>): string {
  const entries = Object.entries(byCode).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '' : ` (${entries.map(([code, n]) => `${code} ×${n}`).join(', ')})`;
}
