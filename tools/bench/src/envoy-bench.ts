import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { envoyMissingMessage, findEnvoyBinary } from '@attache/testkit';
import { attacheCli, type EnvoyBenchResult, runEnvoyBenchScenario } from './envoy-bench-run.js';

const usageText = `usage: node tools/bench/dist/index.js envoy [options]
  --mappings N,N   sizes of the generated input (default 10,10000; 10 TLS Hosts, as compile's 10x10000)
  --edits N        one-Mapping edits timed per run (default 7; the median is reported)
  --modes M,M      sotw, delta or both (default sotw,delta)
  --dns            keep the generator's service names (Envoy then also waits for DNS answers
                   for every cluster); default: each service host becomes a loopback address
  --edit-in-place  the edited Mapping is in the file that holds all the others, written whole
                   on each edit (default: a file of its own)
  --cli PATH       the attache CLI to run (another build's apps/attache/dist/main.js, to compare)
Needs a built CLI (apps/attache/dist) and Envoy (tools/envoy/get.sh, or ENVOY_BIN).
`;

/**
 * `envoy`: the generated input served by `attache serve` to one real Envoy
 * over ADS. Per size and xDS flavour: how long Envoy takes to hold every
 * route, both processes' RSS, and one-Mapping edit → first request through
 * Envoy that shows it.
 */
export async function runEnvoyBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mappings: { type: 'string', default: '10,10000' },
      edits: { type: 'string', default: '7' },
      modes: { type: 'string', default: 'sotw,delta' },
      dns: { type: 'boolean', default: false },
      'edit-in-place': { type: 'boolean', default: false },
      cli: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usageText);
    return;
  }
  const binary = findEnvoyBinary();
  if (!binary) {
    process.stderr.write(envoyMissingMessage('bench envoy'));
    process.exitCode = 2;
    return;
  }
  const cli = values.cli ?? attacheCli;
  if (!existsSync(cli)) {
    process.stderr.write(`bench envoy: ${cli} is not built; run 'npx -y pnpm@12.4.2 run build'\n`);
    process.exitCode = 2;
    return;
  }
  const sizes = values.mappings.split(',').map(Number);
  const edits = Math.max(5, Number(values.edits));
  const modes = values.modes.split(',').map((m) => m.trim());
  const version = `Envoy ${execFileSync(binary, ['--version'], { encoding: 'utf8' })
    .replace(/^[\s\S]*version:\s*/, '')
    .trim()}`;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`bench envoy — ${new Date().toISOString()}`);
  out(`  command: node tools/bench/dist/index.js envoy ${argv.join(' ')}`.trimEnd());
  out(`  ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}; ${version}`);
  out(
    `  ${cli} serve (file source, default debounce) → ADS → one Envoy (1 worker thread), all on 127.0.0.1; the edited Mapping ${values['edit-in-place'] ? 'in the file of all the others, written whole' : 'in a file of its own'}`,
  );
  const results: EnvoyBenchResult[] = [];
  for (const mappings of sizes) {
    for (const mode of modes) {
      // Other work on the machine shows in every figure: say how busy it was.
      const load = loadavg()[0]!.toFixed(1);
      const r = await runEnvoyBenchScenario({
        mappings,
        delta: mode === 'delta',
        edits,
        binary,
        dns: values.dns === true,
        inPlace: values['edit-in-place'] === true,
        cli,
      });
      results.push(r);
      out(formatResult(r));
      out(`  load average         ${load} before, ${loadavg()[0]!.toFixed(1)} after (${cpus().length} CPUs)`);
    }
  }
  out('');
  out(
    '| Mappings | xDS | Envoy has every route | Envoy RSS | Attaché RSS (peak) | edit → first request, median (min–max) | of which: Attaché pushed / Envoy RDS in (medians) |',
  );
  out('|---:|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const e = stats(r.editMs);
    out(
      `| ${r.mappings.toLocaleString('en-US')} | ${r.delta ? 'delta' : 'SotW'} | ${seconds(r.envoyAllRoutesMs)} | ${r.envoyRssMb.toFixed(0)} MiB | ${r.attacheRssMb.toFixed(0)} MiB (${r.attachePeakRssMb.toFixed(0)} MiB) | ${e.median.toFixed(0)} ms (${e.min.toFixed(0)}–${e.max.toFixed(0)}) | ${stats(r.pushedMs).median.toFixed(0)} ms / ${stats(r.appliedMs).median.toFixed(0)} ms |`,
    );
  }
}

function formatResult(r: EnvoyBenchResult): string {
  const e = stats(r.editMs);
  return [
    `envoy ${r.mappings} Mappings, ${r.delta ? 'delta' : 'SotW'} ADS`,
    `  attache serve ready      ${seconds(r.attacheReadyMs)} after start (first compile published)`,
    `  Envoy has every route    ${seconds(r.envoyAllRoutesMs)} after Envoy started: ${r.listeners} listeners active, ${r.routeConfigs} route configurations loaded; /config_dump holds ${r.envoyRoutes} routes (compiled: ${r.routes}); ${r.rejected} rejected updates`,
    `    on the way          Attaché sent CDS ${opt(r.sentMs.cds)} → Envoy took it ${opt(r.cdsMs)}, all ${r.clusters} clusters warm ${opt(r.clustersWarmMs)}; sent LDS ${opt(r.sentMs.lds)} → taken ${opt(r.ldsMs)}; sent RDS ${opt(r.sentMs.rds)} → every route ${seconds(r.envoyAllRoutesMs)} (Envoy asks for listeners once its clusters are warm, for routes once its listeners arrive)`,
    `  RSS                      Envoy ${r.envoyRssMb.toFixed(0)} MiB; Attaché ${r.attacheRssMb.toFixed(0)} MiB once Envoy had everything, peak ${r.attachePeakRssMb.toFixed(0)} MiB`,
    `  edit → first request    median ${e.median.toFixed(0)} ms (min ${e.min.toFixed(0)}, max ${e.max.toFixed(0)}; ${r.editMs.map((ms) => ms.toFixed(0)).join(', ')} ms over ${r.editMs.length} edits of one Mapping's rewrite)`,
    `    of which            Attaché pushed after median ${stats(r.pushedMs).median.toFixed(0)} ms (file watch, debounce, compile, send); Envoy's RDS update in after median ${stats(r.appliedMs).median.toFixed(0)} ms`,
  ].join('\n');
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}

function opt(ms: number | undefined): string {
  return ms === undefined ? '?' : seconds(ms);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
