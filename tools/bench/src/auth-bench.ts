import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compile, createPipeline, type Pipeline, type StoredResource } from '@attache/core';
import { featureAuthPlugin } from '@attache/plugin-feature-auth';
import { generateCompileInputs } from './compile-inputs.js';
import { median } from './compile-measure.js';
import { compilePlugins } from './compile-plugins.js';

const usage = `usage: node tools/bench/dist/index.js auth [--mappings N] [--hosts N] [--runs N] [--json]

What the feature-auth plugin adds to a compile: the compile benchmark's input
(default 10 TLS Hosts, 10,000 Mappings) compiled with http + envoy, then the same input
with a global gRPC AuthService, a named HTTP AuthService chosen by the first Host, bypass_auth
on one Mapping in ten, auth_context_extensions on one in seven and auth_service on one in
a hundred, compiled with http + feature-auth + envoy. Runs alternate (base, feature, base, …)
in one process after a warm-up of each; reports medians of wall and CPU time, the added
cost, and the feature-auth passes' own time from an instrumented compile.`;

/** The compile benchmark's input plus AuthServices and the auth fields on Mappings and one Host. */
export function withAuth(resources: readonly StoredResource[]): StoredResource[] {
  const out: StoredResource[] = [];
  let n = 0;
  let firstHost = true;
  for (const stored of resources) {
    const r = stored.resource;
    if (r.kind === 'Mapping') {
      const i = n++;
      const spec = { ...(r.spec as Record<string, unknown>) };
      if (i % 10 === 0) spec.bypass_auth = true;
      else if (i % 7 === 0) spec.auth_context_extensions = { route: `m${i}`, tier: 'gold' };
      if (i % 100 === 1) spec.auth_service = 'partner-auth.edge';
      out.push({ ...stored, resource: { ...r, spec } });
    } else if (r.kind === 'Host' && firstHost) {
      firstHost = false;
      const spec = { ...(r.spec as Record<string, unknown>), auth_service: 'partner-auth.edge' };
      out.push({ ...stored, resource: { ...r, spec } });
    } else out.push(stored);
  }
  const origin = { source: 'bench', file: 'generated/auth.yaml', line: 1 };
  out.push(
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'AuthService',
        metadata: { name: 'authn', namespace: 'edge' },
        spec: { auth_service: 'ext-authz.edge:9000', proto: 'grpc', protocol_version: 'v3', timeout_ms: 500 },
      },
      origin,
    },
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'AuthService',
        metadata: { name: 'partner-auth', namespace: 'edge' },
        spec: {
          auth_service: 'partner-auth.edge:3000',
          path_prefix: '/check',
          allowed_request_headers: ['x-tenant'],
          scope: 'named',
        },
      },
      origin,
    },
  );
  return out;
}

function timed(resources: readonly StoredResource[], pipeline: Pipeline) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = compile(resources, pipeline);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

function passTimes(resources: readonly StoredResource[], pipeline: Pipeline) {
  const timings = pipeline.passes.map((p) => ({ id: p.id, ms: 0 }));
  compile(resources, {
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
  });
  return timings;
}

/** Routes whose typed_per_filter_config mentions ext_authz, across all route configurations. */
function authRoutes(result: ReturnType<typeof compile>): number {
  let count = 0;
  for (const rc of result.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration']) {
    const vhs = (
      rc.resource as { virtual_hosts?: Array<{ routes?: Array<{ typed_per_filter_config?: object }> }> }
    ).virtual_hosts;
    for (const vh of vhs ?? [])
      for (const route of vh.routes ?? [])
        if (Object.keys(route.typed_per_filter_config ?? {}).some((k) => k.includes('ext_authz'))) count++;
  }
  return count;
}

export async function runAuthBench(argv: string[]): Promise<void> {
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
  const withFeature = withAuth(base);
  const basePipeline = createPipeline([...compilePlugins]);
  const featurePipeline = createPipeline([...compilePlugins, featureAuthPlugin]);

  // Warm-up, and a check that the feature really did its work.
  timed(base, basePipeline);
  const check = timed(withFeature, featurePipeline).result;
  const routes = authRoutes(check);
  const errors = check.diagnostics.filter((d) => d.severity === 'error').length;
  const filters = JSON.stringify(
    check.xds['type.googleapis.com/envoy.config.listener.v3.Listener'].map((l) => l.resource),
  ).match(/"name":"envoy\.filters\.http\.ext_authz[^"]*"/g)?.length;

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
  const passes = passTimes(withFeature, featurePipeline).filter((p) => p.id.startsWith('feature-auth.'));
  const report = {
    input: { hosts, mappings, resources: withFeature.length },
    routesWithAuthConfig: routes,
    extAuthzFilters: filters ?? 0,
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
  const passMs = passes.reduce((s, p) => s + p.ms, 0);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ ...report, addedPercent: added, addedCpuPercent: addedCpu }, null, 2)}\n`,
    );
    return;
  }
  const f = (x: number) => x.toFixed(0);
  process.stdout.write(
    [
      `auth: ${hosts} Hosts, ${mappings} Mappings (+ a global and a named AuthService, bypass_auth, context extensions, auth_service); ${runs} alternating runs`,
      `  routes with ext_authz per-route config: ${routes}; ext_authz filters in listeners: ${filters ?? 0}; error diagnostics: ${errors}`,
      `  http + envoy (no auth):              median ${f(report.baseMedianMs)} ms wall, ${f(report.baseMedianCpuMs)} ms CPU`,
      `  http + feature-auth + envoy (auth):  median ${f(report.featureMedianMs)} ms wall, ${f(report.featureMedianCpuMs)} ms CPU`,
      `  added: ${added.toFixed(1)} % wall, ${addedCpu.toFixed(1)} % CPU (target < 10 %)`,
      `  feature-auth passes: ${passes.map((p) => `${p.id} ${p.ms.toFixed(1)} ms`).join(', ')} (${((passMs / report.baseMedianMs) * 100).toFixed(1)} % of the base compile)`,
      '',
    ].join('\n'),
  );
}
