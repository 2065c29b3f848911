import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TypeUrl } from '@attache/core';
import { type XdsResponse, XdsTestClient } from '@attache/testkit';
import type { AdsBenchCommand, AdsBenchUsage } from './ads-bench-server.js';
import { H2XdsConnection, type H2XdsResponse } from './ads-h2-client.js';

const usageText = `usage: node tools/bench/dist/index.js ads [options]
  --streams N    concurrent ADS (SotW) streams (default 1000)
  --routes N     Mappings compiled into the snapshot (default 10000; 1 cluster per 10 routes)
  --channels N   gRPC channels (HTTP/2 connections) the streams share (default streams/100)
  --delta        incremental xDS (DeltaAggregatedResources) instead of state-of-the-world
  --both         SotW, then delta
  --vhds         delta with the sink's VHDS option: route tables without virtual hosts, each virtual
                 host a VirtualHost resource (implies --hosts 100 unless given; the baseline, which
                 has no VHDS, runs plain delta for comparison)
  --hosts N      spread the Mappings over N cleartext Hosts (one virtual host each) instead of '*'
  --window N     the clients' HTTP/2 flow-control window in bytes (default 268435456: Envoy's
                 default stream and connection windows; grpc-js alone would use 65535)
  --client C     the bench's clients: h2 (default: node:http2, gRPC frames read as they arrive,
                 envelope only, no message reassembled) or grpc-js (XdsTestClient, envelopeOnly:
                 grpc-js reassembles every message before the envelope is read)
  --changes N    one-Mapping changes in a row (default 1); the figures are their medians
  --baseline F   also run the same phases against another build of the sink (F: its dist/index.js),
                 in the same run, and print each figure as a ratio (this build / baseline)
`;

/** One process talking to the server child over IPC: request → the next reply. */
class ServerChild {
  private readonly child;
  private readonly replies: unknown[] = [];
  private waiting: ((message: unknown) => void) | undefined;

  constructor(sinkModule?: string) {
    this.child = fork(
      fileURLToPath(new URL('./ads-bench-server.js', import.meta.url)),
      sinkModule ? [sinkModule] : [],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Lets the child measure live memory after a full GC.
        execArgv: [...process.execArgv, '--expose-gc'],
      },
    );
    this.child.on('message', (message) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(message);
      } else {
        this.replies.push(message);
      }
    });
  }

  next<T>(): Promise<T> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued as T);
    return new Promise((resolve) => {
      this.waiting = resolve as (message: unknown) => void;
    });
  }

  async ask<T>(command: AdsBenchCommand): Promise<T> {
    this.child.send(command);
    return this.next<T>();
  }
}

interface StreamProbe {
  stream: { close(): void };
  /** Time (ms, absolute) of the last response per type. */
  lastAt: Map<string, number>;
}

/** What every client received, per type: responses, resources (delta: named in them), bytes. */
interface Received {
  responses: number;
  resources: number;
  bytes: number;
}

const virtualHostType = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const baseTypes: string[] = [
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
];

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * An Envoy-like stream: asks for everything (with VHDS, the virtual hosts by an
 * empty first request, as Envoy 1.39 does), ACKs every response at once. It
 * reads each response's envelope (type, version, nonce; delta: every resource's
 * name and version) and checks it: a known type, a nonce, and for delta a name
 * and version on every resource; what it received is counted per type.
 */
function openStream(
  client: XdsTestClient,
  clusterNames: string[],
  routeNames: string[],
  delta: boolean,
  vhds: boolean,
  received: Map<string, Received>,
): StreamProbe {
  const stream = delta ? client.delta('ads') : client.sotw('ads');
  const probe: StreamProbe = { stream, lastAt: new Map() };
  const take = (): void => {
    stream.next(undefined, 3_600_000).then(
      (response: XdsResponse) => {
        const counts = received.get(response.typeUrl);
        if (
          !counts ||
          response.nonce === '' ||
          (delta && response.resources.some((r) => !r.name || !r.version))
        )
          throw new Error(`ads bench: malformed response ${response.typeUrl} nonce '${response.nonce}'`);
        counts.responses++;
        counts.resources += response.resources.length;
        counts.bytes += response.bytes;
        probe.lastAt.set(response.typeUrl, nowMs());
        stream.ack(response);
        take();
      },
      () => {},
    );
  };
  take();
  stream.subscribe(TypeUrl.Cluster, ['*']);
  stream.subscribe(TypeUrl.ClusterLoadAssignment, clusterNames);
  stream.subscribe(TypeUrl.Listener, ['*']);
  stream.subscribe(TypeUrl.RouteConfiguration, routeNames);
  if (vhds) stream.subscribe(virtualHostType, []);
  return probe;
}

/** The same Envoy-like stream over the light `node:http2` client (`--client h2`). */
function openH2Stream(
  connection: H2XdsConnection,
  node: { id: string; cluster: string },
  clusterNames: string[],
  routeNames: string[],
  delta: boolean,
  vhds: boolean,
  received: Map<string, Received>,
): StreamProbe {
  const probe: StreamProbe = { stream: { close: () => {} }, lastAt: new Map() };
  const stream = connection.stream(
    delta,
    node,
    (response: H2XdsResponse) => {
      const counts = received.get(response.typeUrl);
      if (
        !counts ||
        response.nonce === '' ||
        (delta && (response.names.includes('') || response.versions.includes('')))
      )
        throw new Error(`ads bench: malformed response ${response.typeUrl} nonce '${response.nonce}'`);
      counts.responses++;
      counts.resources += response.resourceCount;
      counts.bytes += response.bytes;
      probe.lastAt.set(response.typeUrl, nowMs());
      stream.ack(response);
    },
    (error) => {
      throw error;
    },
  );
  probe.stream = stream;
  stream.subscribe(TypeUrl.Cluster, ['*']);
  stream.subscribe(TypeUrl.ClusterLoadAssignment, clusterNames);
  stream.subscribe(TypeUrl.Listener, ['*']);
  stream.subscribe(TypeUrl.RouteConfiguration, routeNames);
  if (vhds) stream.subscribe(virtualHostType, []);
  return probe;
}

async function waitFor(check: () => boolean | Promise<boolean>, intervalMs = 20): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, intervalMs));
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** The figures of one run, for the comparison table. */
export interface AdsFigures {
  initialMs: number;
  initialCpuMs: number;
  initialClientCpuMs: number;
  initialBytes: number;
  initialLiveMb: number;
  mappingMs: number;
  mappingCpuMs: number;
  mappingClientCpuMs: number;
  mappingBytes: number;
  mappingLiveMb: number;
  endpointMs: number;
  endpointCpuMs: number;
  endpointClientCpuMs: number;
  endpointBytes: number;
  peakRssMb: number;
}

type BenchClient = 'h2' | 'grpc-js';

const clientDescription: Record<BenchClient, string> = {
  h2: 'h2 (node:http2; gRPC frames read as they arrive, envelope only)',
  'grpc-js': 'grpc-js (XdsTestClient envelopeOnly; each message reassembled, then its envelope read)',
};

interface RunOptions {
  streams: number;
  routes: number;
  channels: number;
  delta: boolean;
  vhds: boolean;
  hosts: number;
  window: number;
  client: BenchClient;
  changes: number;
  sinkModule?: string;
  label: string;
}

/**
 * 1,000 ADS streams (by default) receive a snapshot compiled from 10,000
 * Mappings; then one Mapping changes; then one endpoint. Figures are printed,
 * never asserted: time until every stream has ACKed everything, server CPU
 * time and peak RSS (the server runs in a child process of its own).
 */
export async function runAdsBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      streams: { type: 'string', default: '1000' },
      routes: { type: 'string', default: '10000' },
      channels: { type: 'string' },
      delta: { type: 'boolean', default: false },
      both: { type: 'boolean', default: false },
      vhds: { type: 'boolean', default: false },
      hosts: { type: 'string' },
      window: { type: 'string', default: String(256 * 2 ** 20) },
      baseline: { type: 'string' },
      client: { type: 'string', default: 'h2' },
      changes: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usageText);
    return;
  }
  const streams = Number(values.streams);
  if (values.client !== 'h2' && values.client !== 'grpc-js')
    throw new Error(`ads bench: --client is h2 or grpc-js, not '${values.client}'`);
  const base = {
    client: values.client as BenchClient,
    changes: Math.max(1, Number(values.changes)),
    streams,
    routes: Number(values.routes),
    channels: Number(values.channels ?? Math.max(1, Math.ceil(streams / 100))),
    window: Number(values.window),
    hosts: Number(values.hosts ?? (values.vhds ? 100 : 0)),
  };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const variants: Array<{ delta: boolean; vhds: boolean }> = values.vhds
    ? [{ delta: true, vhds: true }]
    : (values.both ? [false, true] : [values.delta]).map((delta) => ({ delta, vhds: false }));
  const rows: string[] = [];
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  out(
    `load average at start: ${load()} (${new Date().toISOString()}); bench client: ${clientDescription[base.client]}`,
  );
  for (const { delta, vhds } of variants) {
    const mine = await runOnce({ ...base, delta, vhds, label: 'this build' });
    if (!values.baseline) continue;
    // The baseline has no VHDS: it serves the same Hosts to delta streams as whole tables.
    const theirs = await runOnce({
      ...base,
      delta,
      vhds: false,
      sinkModule: values.baseline,
      label: 'baseline',
    });
    const r = (a: number, b: number) => `${fmt(a)} / ${fmt(b)} = ${(a / b).toFixed(2)}`;
    const m = (a: number, b: number) => `${a.toFixed(0)} / ${b.toFixed(0)} MiB = ${(a / b).toFixed(2)}`;
    const mb = (a: number, b: number) => `${(a / 2 ** 20).toFixed(1)} / ${(b / 2 ** 20).toFixed(1)} MiB`;
    const flavour = vhds ? 'delta+VHDS' : delta ? 'delta' : 'SotW';
    rows.push(
      `| ${flavour} | initial delivery | ${r(mine.initialMs, theirs.initialMs)} | ${r(mine.initialCpuMs, theirs.initialCpuMs)} | ${r(mine.initialClientCpuMs, theirs.initialClientCpuMs)} | ${mb(mine.initialBytes, theirs.initialBytes)} |`,
      `| ${flavour} | one-Mapping change | ${r(mine.mappingMs, theirs.mappingMs)} | ${r(mine.mappingCpuMs, theirs.mappingCpuMs)} | ${r(mine.mappingClientCpuMs, theirs.mappingClientCpuMs)} | ${mb(mine.mappingBytes, theirs.mappingBytes)} |`,
      `| ${flavour} | endpoint-only change | ${r(mine.endpointMs, theirs.endpointMs)} | ${r(mine.endpointCpuMs, theirs.endpointCpuMs)} | ${r(mine.endpointClientCpuMs, theirs.endpointClientCpuMs)} | ${mb(mine.endpointBytes, theirs.endpointBytes)} |`,
      `| ${flavour} | live memory after initial delivery / after the change | ${m(mine.initialLiveMb, theirs.initialLiveMb)} | ${m(mine.mappingLiveMb, theirs.mappingLiveMb)} | | |`,
      `| ${flavour} | peak RSS | ${m(mine.peakRssMb, theirs.peakRssMb)} | | | |`,
    );
  }
  out(`load average at end: ${load()} (${new Date().toISOString()})`);
  if (rows.length > 0) {
    out(
      `\nthis build / baseline (${streams} streams, ${base.routes} routes, ${base.hosts || "one '*'"} Host(s); time until every stream ACKed; client ${base.client}):`,
    );
    out('| xDS | phase | wall | server CPU | client CPU | bytes to clients |');
    out('|---|---|---|---|---|---|');
    for (const row of rows) out(row);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function runOnce(options: RunOptions): Promise<AdsFigures> {
  const { streams, routes, channels } = options;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Logged because getrusage's maxrss of the child would count it (see peakRssMb in ads-bench-server.ts).
  const benchRssAtFork = process.memoryUsage().rss / 2 ** 20;
  const server = new ServerChild(options.sinkModule);
  await server.next();
  const allTypes = options.vhds ? [...baseTypes, virtualHostType] : baseTypes;
  const started = await server.ask<{
    port: number;
    compileMs: number;
    clusterNames: string[];
    routeNames: string[];
    routeConfigBytes: number;
  }>({ cmd: 'start', routes, hosts: options.hosts, vhds: options.vhds, types: allTypes.length });
  out(
    `ads bench (${options.label}): ${streams} ${options.vhds ? 'delta+VHDS' : options.delta ? 'delta' : 'SotW'} ADS streams over ${channels} channels, ${routes} routes on ${options.hosts || "one '*'"} Host(s), ${started.clusterNames.length} clusters, client window ${options.window} B`,
  );
  out(`  bench client: ${clientDescription[options.client]}, all in this process`);
  out(
    `  compile (server child, not part of delivery): ${fmt(started.compileMs)}; RouteConfiguration JSON ${(started.routeConfigBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  // The initial delivery's CPU starts after a full GC: the compile and encoding before it are not delivery.
  const base = await server.ask<AdsBenchUsage>({ cmd: 'usage', start: true });
  out(
    `  server before any stream: RSS ${base.rssMb.toFixed(0)} MiB, live ${base.liveMb.toFixed(0)} MiB (compiler, snapshot, encodings)`,
  );

  const grpcClients =
    options.client === 'grpc-js'
      ? Array.from(
          { length: channels },
          (_, i) =>
            new XdsTestClient({
              address: `127.0.0.1:${started.port}`,
              node: { id: `bench-${i}`, cluster: 'bench' },
              decodeResources: false,
              // The clients read only the envelope: a thousand of them in one process measure the server, not a decoder.
              envelopeOnly: true,
              // Distinct channel options keep grpc-js from sharing one subchannel (one TCP connection) between clients.
              channelOptions: { 'bench.channel': i, 'grpc-node.flow_control_window': options.window },
            }),
        )
      : [];
  const h2Connections =
    options.client === 'h2'
      ? Array.from(
          { length: channels },
          () => new H2XdsConnection(`127.0.0.1:${started.port}`, options.window),
        )
      : [];
  const status = () =>
    server.ask<{
      streams: number;
      settled: number;
      pushes: Record<string, number>;
      at: number;
      example?: unknown;
    }>({
      cmd: 'status',
    });

  const received = new Map<string, Received>(
    allTypes.map((t) => [t, { responses: 0, resources: 0, bytes: 0 }]),
  );
  const totalBytes = () => [...received.values()].reduce((sum, r) => sum + r.bytes, 0);
  const describeReceived = (before: Map<string, Received>) =>
    allTypes
      .map((t) => {
        const now = received.get(t) as Received;
        const then = before.get(t) ?? { responses: 0, resources: 0, bytes: 0 };
        return `${t.slice(t.lastIndexOf('.') + 1)} ${now.responses - then.responses} responses/${now.resources - then.resources} resources/${((now.bytes - then.bytes) / 2 ** 20).toFixed(2)} MiB`;
      })
      .join(', ');
  const snapshotReceived = () => new Map([...received].map(([t, r]) => [t, { ...r }]));
  const clientCpuMs = () => {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1000;
  };
  const clientSysMs = () => process.cpuUsage().system / 1000;

  // Phase 1: initial delivery.
  const t0 = nowMs();
  const clientCpu0 = clientCpuMs();
  const probes = Array.from({ length: streams }, (_, i) =>
    options.client === 'h2'
      ? openH2Stream(
          h2Connections[i % channels] as H2XdsConnection,
          { id: `bench-${i % channels}`, cluster: 'bench' },
          started.clusterNames,
          started.routeNames,
          options.delta,
          options.vhds,
          received,
        )
      : openStream(
          grpcClients[i % channels] as XdsTestClient,
          started.clusterNames,
          started.routeNames,
          options.delta,
          options.vhds,
          received,
        ),
  );
  let lastProgress = nowMs();
  await waitFor(async () => {
    if (nowMs() - lastProgress > 30_000) {
      lastProgress = nowMs();
      const counts = allTypes.map(
        (t) => `${t.slice(t.lastIndexOf('.') + 1)} ${probes.filter((p) => p.lastAt.has(t)).length}`,
      );
      const now = await status();
      out(
        `    … ${fmt(nowMs() - t0)}: streams that received ${counts.join(', ')}; server: ${now.streams} streams, ${now.settled} settled, e.g. ${JSON.stringify(now.example)}`,
      );
    }
    return probes.every((p) => allTypes.every((t) => p.lastAt.has(t)));
  });
  let settled = await status();
  await waitFor(async () => {
    settled = await status();
    if (nowMs() - lastProgress > 30_000) {
      lastProgress = nowMs();
      out(`    … ${fmt(nowMs() - t0)}: ${settled.settled} of ${streams} streams settled`);
    }
    return settled.settled === streams;
  }, 200);
  const initial = await server.ask<AdsBenchUsage>({ cmd: 'usage' });
  const initialClientCpuMs = clientCpuMs() - clientCpu0;
  out(`  initial snapshot: every stream ACKed all ${allTypes.length} types after ${fmt(settled.at - t0)}`);
  out(
    `    clients received ${describeReceived(new Map())}; client CPU (this process) ${(initialClientCpuMs / 1000).toFixed(2)} s`,
  );
  out(
    `    server CPU ${((initial.cpuUserMs + initial.cpuSystemMs - base.cpuUserMs - base.cpuSystemMs) / 1000).toFixed(2)} s ` +
      `(user ${((initial.cpuUserMs - base.cpuUserMs) / 1000).toFixed(2)} s), RSS now ${initial.rssMb.toFixed(0)} MiB, peak ${initial.maxRssMb.toFixed(0)} MiB, live after GC ${initial.liveMb.toFixed(0)} MiB`,
  );
  out(
    `    (getrusage maxrss of the server child ${initial.rusageMaxRssMb.toFixed(0)} MiB: it includes this bench process's RSS when it forked the child, ${benchRssAtFork.toFixed(0)} MiB)`,
  );

  const figures: AdsFigures = {
    initialMs: settled.at - t0,
    initialCpuMs: initial.cpuUserMs + initial.cpuSystemMs - base.cpuUserMs - base.cpuSystemMs,
    initialClientCpuMs,
    initialBytes: totalBytes(),
    initialLiveMb: initial.liveMb,
    mappingMs: 0,
    mappingCpuMs: 0,
    mappingClientCpuMs: 0,
    mappingBytes: 0,
    mappingLiveMb: 0,
    endpointMs: 0,
    endpointCpuMs: 0,
    endpointClientCpuMs: 0,
    endpointBytes: 0,
    peakRssMb: 0,
  };

  // Phase 2: one Mapping changes (its route prefix): only RDS should move.
  const mappingRuns: Array<{
    ms: number;
    reachedMs: number;
    cpuMs: number;
    clientCpuMs: number;
    bytes: number;
  }> = [];
  const phases = [...Array.from({ length: options.changes }, () => 'mapping' as const), 'endpoint' as const];
  for (const phase of phases) {
    const before = await status();
    const receivedBefore = snapshotReceived();
    const bytesBefore = totalBytes();
    const clientCpuBefore = clientCpuMs();
    const clientSysBefore = clientSysMs();
    // CPU is counted from the moment of publishing: the recompile before it is the compiler's, not delivery's.
    const published = await server.ask<{
      publishedAt: number;
      compileMs?: number;
      cpuAtPublish: AdsBenchUsage;
      setSnapshotCpuMs: number;
    }>({
      cmd: phase,
    });
    const usageBefore = published.cpuAtPublish;
    // With VHDS a Mapping change moves a VirtualHost; without, the RouteConfiguration.
    const changedType =
      phase === 'endpoint'
        ? TypeUrl.ClusterLoadAssignment
        : options.vhds
          ? virtualHostType
          : TypeUrl.RouteConfiguration;
    await waitFor(() => probes.every((p) => (p.lastAt.get(changedType) ?? 0) > published.publishedAt));
    const reached = Math.max(...probes.map((p) => p.lastAt.get(changedType) ?? 0));
    let after = await status();
    await waitFor(async () => {
      after = await status();
      return (
        after.settled === streams && after.pushes[changedType] === (before.pushes[changedType] ?? 0) + streams
      );
    });
    const usageAfter = await server.ask<AdsBenchUsage>({ cmd: 'usage' });
    const phaseClientCpuMs = clientCpuMs() - clientCpuBefore;
    const phaseClientSysMs = clientSysMs() - clientSysBefore;
    const pushed = allTypes
      .map((t) => `${t.slice(t.lastIndexOf('.') + 1)} +${(after.pushes[t] ?? 0) - (before.pushes[t] ?? 0)}`)
      .join(', ');
    const cpuMs =
      usageAfter.cpuUserMs + usageAfter.cpuSystemMs - usageBefore.cpuUserMs - usageBefore.cpuSystemMs;
    if (phase === 'mapping') {
      mappingRuns.push({
        ms: after.at - published.publishedAt,
        reachedMs: reached - published.publishedAt,
        cpuMs,
        clientCpuMs: phaseClientCpuMs,
        bytes: totalBytes() - bytesBefore,
      });
      figures.mappingMs = median(mappingRuns.map((r) => r.ms));
      figures.mappingCpuMs = median(mappingRuns.map((r) => r.cpuMs));
      figures.mappingClientCpuMs = median(mappingRuns.map((r) => r.clientCpuMs));
      figures.mappingBytes = median(mappingRuns.map((r) => r.bytes));
      figures.mappingLiveMb = usageAfter.liveMb;
    } else {
      figures.endpointMs = after.at - published.publishedAt;
      figures.endpointCpuMs = cpuMs;
      figures.endpointClientCpuMs = phaseClientCpuMs;
      figures.endpointBytes = totalBytes() - bytesBefore;
    }
    figures.peakRssMb = usageAfter.maxRssMb;
    const label = phase === 'mapping' ? 'one-Mapping change' : 'endpoint-only change';
    out(
      `  ${label}: reached all ${streams} streams ${fmt(reached - published.publishedAt)} after publish, all ACKed after ${fmt(after.at - published.publishedAt)}` +
        (published.compileMs !== undefined ? ` (recompile ${fmt(published.compileMs)} before publish)` : ''),
    );
    out(
      `    pushes: ${pushed}; server CPU ${((usageAfter.cpuUserMs + usageAfter.cpuSystemMs - usageBefore.cpuUserMs - usageBefore.cpuSystemMs) / 1000).toFixed(2)} s (system ${((usageAfter.cpuSystemMs - usageBefore.cpuSystemMs) / 1000).toFixed(2)} s; setSnapshot, encoding what changed, ${(published.setSnapshotCpuMs / 1000).toFixed(2)} s of it), peak RSS ${usageAfter.maxRssMb.toFixed(0)} MiB, live after GC ${usageAfter.liveMb.toFixed(0)} MiB`,
    );
    out(
      `    clients received ${describeReceived(receivedBefore)}; client CPU (this process) ${(phaseClientCpuMs / 1000).toFixed(2)} s (system ${(phaseClientSysMs / 1000).toFixed(2)} s)`,
    );
  }

  if (mappingRuns.length > 1) {
    out(
      `  one-Mapping change, median of ${mappingRuns.length}: reached all ${fmt(median(mappingRuns.map((r) => r.reachedMs)))}, all ACKed ${fmt(figures.mappingMs)}; server CPU ${(figures.mappingCpuMs / 1000).toFixed(2)} s, client CPU ${(figures.mappingClientCpuMs / 1000).toFixed(2)} s`,
    );
  }
  for (const probe of probes) probe.stream.close();
  for (const client of grpcClients) client.close();
  for (const connection of h2Connections) connection.close();
  await server.ask({ cmd: 'stop' });
  return figures;
}
