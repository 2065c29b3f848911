import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compile, createPipeline, type Pipeline, type Plugin, type StoredResource } from '@attache/core';
import { ratelimitPlugin } from '@attache/plugin-feature-ratelimit';
import { generateCompileInputs } from './compile-inputs.js';
import { median } from './compile-measure.js';
import { compilePlugins } from './compile-plugins.js';

const usage = `usage: node tools/bench/dist/index.js ratelimit [--mappings N] [--hosts N] [--runs N] [--json]

What the feature-ratelimit plugin adds to a compile: the compile benchmark's input
(default 10 TLS Hosts, 10,000 Mappings) compiled with http + envoy, then the same input
with labels on every Mapping (all five action kinds, v3alpha1), local_rate_limit on one
Mapping in ten and on every Host, a RateLimitService and Module default_labels, compiled
with http + feature-ratelimit + envoy. Runs alternate (base, feature, base, …) in one
process after a warm-up of each; reports medians of wall and CPU time, the added cost,
and the feature-ratelimit passes' own CPU time from instrumented compiles.`;

/** The compile benchmark's input plus rate-limit configuration on every Mapping and Host. */
export function withRateLimits(resources: readonly StoredResource[]): StoredResource[] {
  const out: StoredResource[] = [];
  let n = 0;
  for (const stored of resources) {
    const r = stored.resource;
    if (r.kind === 'Mapping') {
      const i = n++;
      const spec = { ...(r.spec as Record<string, unknown>) };
      const groups: Array<Record<string, unknown[]>> = [
        { 'per-client': [{ remote_address: { key: 'remote_address' } }] },
        {
          'per-tenant': [
            { request_headers: { key: 'tenant', header_name: 'x-tenant' } },
            { generic_key: { key: 'route', value: `m${i}` } },
          ],
        },
      ];
      if (i % 3 === 0)
        groups.push({
          clusters: [
            { source_cluster: { key: 'source_cluster' } },
            { destination_cluster: { key: 'destination_cluster' } },
          ],
        });
      spec.labels = { edge: groups };
      if (i % 10 === 0) spec.local_rate_limit = { max_tokens: 100, fill_interval_ms: 1000 };
      out.push({ ...stored, resource: { ...r, spec } });
    } else if (r.kind === 'Host') {
      const spec = { ...(r.spec as Record<string, unknown>), local_rate_limit: { max_tokens: 1000 } };
      out.push({ ...stored, resource: { ...r, spec } });
    } else out.push(stored);
  }
  const origin = { source: 'bench', file: 'generated/ratelimit.yaml', line: 1 };
  out.push(
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'RateLimitService',
        metadata: { name: 'ratelimit', namespace: 'edge' },
        spec: { service: 'ratelimit.edge:8081', protocol_version: 'v3', domain: 'edge', timeout_ms: 50 },
      },
      origin,
    },
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'edge' },
        spec: { config: { default_labels: { edge: { defaults: [{ generic_key: { value: 'edge' } }] } } } },
      },
      origin,
    },
  );
  return out;
}

function timed(resources: readonly StoredResource[], pipeline: Pipeline | readonly Plugin[]) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = compile(resources, pipeline as Pipeline);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

/** CPU time of each feature-ratelimit pass: the median of `runs` instrumented compiles. */
function passTimes(resources: readonly StoredResource[], pipeline: Pipeline, runs: number) {
  const samples = new Map<string, number[]>();
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
          samples.set(p.id, [...(samples.get(p.id) ?? []), (used.user + used.system) / 1000]);
        }
      },
    })),
  };
  for (let i = 0; i < runs; i++) compile(resources, instrumented);
  return [...samples]
    .filter(([id]) => id.startsWith('feature-ratelimit.'))
    .map(([id, ms]) => ({ id, cpuMs: median([...ms].sort((a, b) => a - b)) }));
}

export async function runRateLimitBench(argv: string[]): Promise<void> {
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
    process.stdout.write(`${usage}\n`);
    return;
  }
  const mappings = Number(values.mappings);
  const hosts = Number(values.hosts);
  const runs = Number(values.runs);
  const base = generateCompileInputs({ hosts, mappings }).resources;
  const withFeature = withRateLimits(base);
  const basePipeline = createPipeline([...compilePlugins]);
  const featurePipeline = createPipeline([...compilePlugins, ratelimitPlugin]);

  // Warm-up, and a check that the feature really did its work.
  timed(base, basePipeline);
  const check = timed(withFeature, featurePipeline).result;
  const limitedRoutes = check.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'].reduce(
    (n, rc) =>
      n +
      (
        (
          rc.resource as {
            virtual_hosts?: Array<{ routes?: Array<{ route?: { rate_limits?: unknown[] } }> }>;
          }
        ).virtual_hosts ?? []
      )
        .flatMap((vh) => vh.routes ?? [])
        .filter((r) => (r.route?.rate_limits?.length ?? 0) > 0).length,
    0,
  );
  const errors = check.diagnostics.filter((d) => d.severity === 'error').length;

  const baseMs: number[] = [];
  const baseCpu: number[] = [];
  const featureMs: number[] = [];
  const featureCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = timed(base, basePipeline);
    baseMs.push(b.ms);
    baseCpu.push(b.cpuMs);
    const f = timed(withFeature, featurePipeline);
    featureMs.push(f.ms);
    featureCpu.push(f.cpuMs);
  }
  const sort = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const passes = passTimes(withFeature, featurePipeline, runs);
  const report = {
    input: { hosts, mappings, resources: withFeature.length },
    routesWithRateLimits: limitedRoutes,
    errorDiagnostics: errors,
    runs,
    baseMedianMs: median(sort(baseMs)),
    featureMedianMs: median(sort(featureMs)),
    baseMedianCpuMs: median(sort(baseCpu)),
    featureMedianCpuMs: median(sort(featureCpu)),
    featurePasses: passes,
  };
  const added = (report.featureMedianMs / report.baseMedianMs - 1) * 100;
  const addedCpu = (report.featureMedianCpuMs / report.baseMedianCpuMs - 1) * 100;
  const passMs = passes.reduce((s, p) => s + p.cpuMs, 0);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ ...report, addedPercent: added, addedCpuPercent: addedCpu }, null, 2)}\n`,
    );
    return;
  }
  const f = (x: number) => x.toFixed(0);
  process.stdout.write(
    [
      `ratelimit: ${hosts} Hosts, ${mappings} Mappings with labels (+ RateLimitService, default_labels, local_rate_limit); ${runs} alternating runs`,
      `  routes with rate_limits: ${limitedRoutes}; error diagnostics: ${errors}`,
      `  http + envoy (no rate-limit config):        median ${f(report.baseMedianMs)} ms wall, ${f(report.baseMedianCpuMs)} ms CPU`,
      `  http + feature-ratelimit + envoy (labels):  median ${f(report.featureMedianMs)} ms wall, ${f(report.featureMedianCpuMs)} ms CPU`,
      `  added: ${added.toFixed(1)} % wall, ${addedCpu.toFixed(1)} % CPU (target < 10 %)`,
      `  feature-ratelimit passes (CPU, median of ${runs} instrumented compiles): ${passes.map((p) => `${p.id} ${p.cpuMs.toFixed(1)} ms`).join(', ')} = ${((passMs / report.baseMedianCpuMs) * 100).toFixed(1)} % of the base compile's CPU time`,
      `  the rest of the added time is lowering and strictly validating the extra output (rate_limits on every route, per-route and per-host buckets)`,
      '',
    ].join('\n'),
  );
}
