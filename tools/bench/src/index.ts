#!/usr/bin/env node
/**
 * `node tools/bench/dist/index.js <benchmark> [options]`: one entry point for
 * every benchmark, so `pnpm bench` and CI call the same thing. Each benchmark
 * owns its module and its options; this file only dispatches.
 */
import { runAdsBench } from './ads-bench.js';
import { runAuthBench } from './auth-bench.js';
import { runCliBench } from './cli-bench.js';
import { runCompileBench } from './compile-bench.js';
import { runConsulBench } from './consul-bench.js';
import { runEnvoyBench } from './envoy-bench.js';
import { runGrpcBench } from './grpc-bench.js';
import { runIncrementalBench } from './incremental-bench.js';
import { runRateLimitBench } from './ratelimit-bench.js';
import { runResponsivenessBench } from './responsiveness.js';
import { runSoakBench } from './soak.js';
import { runTcpBench } from './tcp-bench.js';

type BenchMain = (argv: string[]) => Promise<void>;

// Add a benchmark by adding a line here (alphabetical); 'all' runs every one in this order.
const benchmarks: Record<string, BenchMain> = {
  ads: runAdsBench,
  auth: runAuthBench,
  cli: runCliBench,
  compile: runCompileBench,
  consul: runConsulBench,
  envoy: runEnvoyBench,
  grpc: runGrpcBench,
  incremental: runIncrementalBench,
  ratelimit: runRateLimitBench,
  responsiveness: runResponsivenessBench,
  soak: runSoakBench,
  tcp: runTcpBench,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === 'all') {
    for (const run of Object.values(benchmarks)) await run(rest);
    return;
  }
  const run = name ? benchmarks[name] : undefined;
  if (!run) {
    process.stderr.write(
      `usage: node tools/bench/dist/index.js <${[...Object.keys(benchmarks), 'all'].join('|')}> [options]\n`,
    );
    process.exitCode = 2;
    return;
  }
  await run(rest);
}

await main(process.argv.slice(2));
