import { type CompileResult, TypeUrl } from '@attache/core';
import { buildAdsBootstrap } from '@attache/envoy';
import { buildEnvoyModel, type EnvoyModel, explainRequest } from '@attache/explain';
import { createXdsServer, type XdsServer } from '@attache/plugin-sink-ads';
import { EchoServer, EnvoyProcess, freePorts, type XdsStats, xdsSnapshot } from '@attache/testkit';
import type { Compiler } from '../compile-attache.js';
import { readResources } from '../compile-attache.js';
import { withoutEmissaryInternals } from '../emissary-internal.js';
import { withHarnessSecrets } from '../harness-secrets.js';
import { generateProbes, type Probe } from '../probes.js';
import { judgeProbe } from './judge.js';
import { type PemPair, withParseableSecrets } from './placeholder-secrets.js';
import { sendProbe, type WireRequest } from './send-probe.js';
import { configForEnvoy, listenerPorts, type ServePlan, upstreamNeeds } from './serve-config.js';

/** A case as the Envoy mode needs it: inputs to compile, and optionally the expected side (more probes). */
export interface EnvoyCase {
  id: string;
  inputs: string[];
  /** Add the Secrets Emissary's unit-test harness invents (emissary/listeners cases). */
  harnessSecrets?: boolean;
  /** The other side's configuration (Emissary's), read only to generate probes from. */
  expected?: EnvoyModel;
}

export interface Disagreement {
  probe: string;
  explain: string;
  envoy: string;
}

export interface EnvoyCaseResult {
  id: string;
  status: 'pass' | 'fail';
  detail: string;
  probes: number;
  disagreements: Disagreement[];
  /** Envoy's update_rejected per xDS type (0 everywhere when it took everything). */
  rejected?: Record<keyof XdsStats, number>;
  /** Placeholder certificates replaced by a generated one: input Secrets, then served resources (resource › field). */
  substituted: string[];
  listeners: number;
  clusters: number;
}

export interface EnvoyRunOptions {
  /** The Envoy binary. */
  binary: string;
  /** Probes in flight at once (1 where a case has circuit breakers, which concurrency would trip). */
  concurrency?: number;
  /** A certificate that parses, for cases whose own are placeholders (made once per run). */
  certificate: PemPair;
  /** Incremental (delta) ADS instead of state-of-the-world. */
  delta?: boolean;
}

/**
 * Compiles a case with Attaché, serves the result to a real Envoy over ADS
 * (in-process xDS server, a real gRPC stream), with every cluster's upstream
 * stood in by an echo server named after the cluster and every listener on a
 * free port; then sends every probe through Envoy and holds each answer
 * against the explain model's account of the same request.
 */
export async function runCaseOnEnvoy(
  c: EnvoyCase,
  compiler: Compiler,
  options: EnvoyRunOptions,
): Promise<EnvoyCaseResult> {
  let result: CompileResult;
  let inputSubstitutions: string[];
  try {
    let resources = c.inputs.flatMap(readResources);
    if (c.harnessSecrets) resources = withHarnessSecrets(resources);
    const parseable = withParseableSecrets(resources, options.certificate);
    inputSubstitutions = parseable.substituted;
    result = compiler(parseable.resources);
  } catch (e) {
    return failed(c.id, `compile threw: ${(e as Error).message}`);
  }
  const model = buildEnvoyModel({ xds: result.xds, ir: result.ir });
  const probes = generateProbes(c.expected ? [withoutEmissaryInternals(c.expected), model] : [model]);
  const ports = [...new Set([...listenerPorts(result.xds), ...probes.map((p) => urlParts(p).port)])].sort(
    (a, b) => a - b,
  );
  const free = await freePorts(ports.length);
  const portMap = new Map(ports.map((p, i) => [p, free[i]!] as const));

  const echoes: EchoServer[] = [];
  let server: XdsServer | undefined;
  let envoy: EnvoyProcess | undefined;
  try {
    for (const need of upstreamNeeds(result.xds)) {
      echoes.push(
        await EchoServer.start({
          name: need.cluster,
          protocol: need.protocol,
          ...(need.tls ? { tls: options.certificate } : {}),
        }),
      );
    }
    const plan: ServePlan = {
      ports: portMap,
      upstreams: new Map(echoes.map((e) => [e.name, { host: e.host, port: e.port }] as const)),
      certificate: options.certificate,
    };
    const served = configForEnvoy(result.xds, plan);
    server = createXdsServer({ address: '127.0.0.1:0' });
    server.setSnapshot(xdsSnapshot({ resources: served.resources }));
    const adsPort = await server.listen();
    envoy = await EnvoyProcess.start({
      binary: options.binary,
      name: `envoy-${c.id.replace(/[^\w.-]+/g, '_')}`,
      logLevel: 'warn',
      bootstrap: buildAdsBootstrap({
        node: { id: `conformance-${c.id}`, cluster: 'conformance' },
        ads: { host: '127.0.0.1', port: adsPort },
        delta: options.delta === true,
      }),
    });
    const listenerNames = result.xds[TypeUrl.Listener].map((l) => l.name).sort();
    const base = {
      id: c.id,
      probes: probes.length,
      substituted: [...inputSubstitutions, ...served.substituted],
      listeners: listenerNames.length,
      clusters: result.xds[TypeUrl.Cluster].length,
    };
    const everyListener = async () => {
      const active = (await envoy!.dynamicNames()).listeners;
      return listenerNames.every((n) => active.includes(n));
    };
    await envoy.waitFor(everyListener, { what: 'every listener active', timeoutMs: 10_000 }).catch(() => {});
    const stats = await envoy.xdsStats();
    const rejected = {
      lds: stats.lds.updateRejected,
      cds: stats.cds.updateRejected,
      rds: stats.rds.updateRejected,
      eds: stats.eds.updateRejected,
      sds: stats.sds.updateRejected,
    };
    const rejections = Object.values(rejected).reduce((a, b) => a + b, 0);
    if (rejections > 0 || !(await everyListener())) {
      const why = envoy
        .logs()
        .split('\n')
        .filter((line) => /reject|error|invalid|fail/i.test(line))
        .slice(0, 3)
        .join(' / ');
      return {
        ...base,
        status: 'fail',
        disagreements: [],
        rejected,
        detail: `Envoy did not take the configuration (update_rejected ${JSON.stringify(rejected)}; listeners active: ${(await envoy.dynamicNames()).listeners.join(', ') || 'none'}): ${why}`,
      };
    }

    const unmap = unmapper(portMap);
    const disagreements: Disagreement[] = [];
    const concurrency = options.concurrency ?? (hasCircuitBreakers(result) ? 1 : 8);
    await forEachLimited(probes, concurrency, async (probe) => {
      const explanation = explainRequest(model, probe.request);
      const answer = await sendProbe(wireRequest(probe, portMap));
      const verdict = judgeProbe(explanation, answer, unmap);
      if (!verdict.agree)
        disagreements.push({ probe: probe.label, explain: verdict.explain, envoy: verdict.envoy });
    });
    disagreements.sort((a, b) => (a.probe < b.probe ? -1 : a.probe > b.probe ? 1 : 0));
    const certNote =
      base.substituted.length > 0
        ? `; ${base.substituted.length} placeholder certificate(s) replaced by a generated one`
        : '';
    if (disagreements.length === 0) {
      return {
        ...base,
        status: 'pass',
        disagreements,
        rejected,
        detail: `0 rejected; all ${probes.length} probes: Envoy did what explain said${certNote}`,
      };
    }
    const first = disagreements[0]!;
    return {
      ...base,
      status: 'fail',
      disagreements,
      rejected,
      detail: `${disagreements.length}/${probes.length} probes differ; first: ${first.probe}: explain says ${first.explain}; Envoy: ${first.envoy}${certNote}`,
    };
  } catch (e) {
    return failed(
      c.id,
      `${(e as Error).message}${envoy ? `\n--- envoy log (tail) ---\n${envoy.tail(20)}` : ''}`,
    );
  } finally {
    await envoy?.stop();
    await server?.close(100);
    await Promise.all(echoes.map((e) => e.close()));
  }
}

function failed(id: string, detail: string): EnvoyCaseResult {
  return {
    id,
    status: 'fail',
    detail,
    probes: 0,
    disagreements: [],
    substituted: [],
    listeners: 0,
    clusters: 0,
  };
}

function hasCircuitBreakers(result: CompileResult): boolean {
  return result.xds[TypeUrl.Cluster].some((c) => c.resource.circuit_breakers !== undefined);
}

const probeUrl = /^(https?):\/\/([^/:]+):(\d+)(.*)$/;

function urlParts(probe: Probe): { scheme: string; host: string; port: number; rest: string } {
  const m = probeUrl.exec(probe.request.url);
  if (!m) throw new Error(`probe URL without a port: ${probe.request.url}`);
  return { scheme: m[1]!, host: m[2]!, port: Number(m[3]), rest: m[4] || '/' };
}

/**
 * The probe as bytes on the wire: to the port Envoy really listens on, with
 * the Host header's port moved the same way (so strip_matching_host_port and
 * redirects that keep the port behave as on the case's own port).
 */
function wireRequest(probe: Probe, ports: ReadonlyMap<number, number>): WireRequest {
  const { scheme, host, port, rest } = urlParts(probe);
  const headers = Object.entries(probe.request.headers ?? {}).map(([name, value]): [string, string] => {
    if (name.toLowerCase() !== 'host') return [name, value];
    const m = /^(.*):(\d+)$/.exec(value);
    const moved = m ? ports.get(Number(m[2])) : undefined;
    return [name, m && moved !== undefined ? `${m[1]}:${moved}` : value];
  });
  const out: WireRequest = {
    port: ports.get(port)!,
    method: probe.request.method ?? 'GET',
    path: rest,
    headers,
    proxyProtocol: probe.request.proxyProtocol === true,
  };
  if (scheme === 'https') out.tls = { servername: host };
  return out;
}

/** Envoy's real ports, in a Location or :authority, back to the case's ports. */
function unmapper(ports: ReadonlyMap<number, number>): (text: string) => string {
  const back = new Map([...ports].map(([original, real]) => [String(real), String(original)] as const));
  return (text) =>
    text.replace(/:(\d+)(?=[/?#]|$)/g, (all, port: string) => (back.has(port) ? `:${back.get(port)}` : all));
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
