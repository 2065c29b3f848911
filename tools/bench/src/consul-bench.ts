import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TypeUrl } from '@attache/core';
import {
  ConsulAgent,
  consulMissingMessage,
  type DeltaTestStream,
  findConsulBinary,
  freePort,
  type SotwTestStream,
  type XdsResponse,
  XdsTestClient,
} from '@attache/testkit';
import type { ConsulBenchCommand, ConsulBenchUsage } from './consul-bench-server.js';

const usageText = `usage: node tools/bench/dist/index.js consul [options]
  --services N   Consul services, one Mapping each through a ConsulResolver (default 1000)
  --instances N  instances per service (default 3)
  --streams N    concurrent ADS streams (default 1000)
  --channels N   gRPC channels the streams share (default streams/100)
  --sotw         state-of-the-world only (default: delta, then SotW)
  --delta        delta only
Needs tools/consul/get.sh (a real consul agent -dev on loopback ports).
`;

/**
 * The EDS fast path, measured on the whole serve path: a real Consul agent with
 * services × instances registered, the consul source watching every service,
 * the runtime compiling one Mapping per service, the ADS sink serving N
 * streams. A full push (every stream receiving the whole configuration) is
 * compared with an endpoint-only change (one instance of one service
 * deregistered, then registered again): wall time from the Consul API call
 * until every stream holds the new assignment, bytes received by all streams,
 * server CPU (the server runs in a child process of its own).
 */
export async function runConsulBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      services: { type: 'string', default: '1000' },
      instances: { type: 'string', default: '3' },
      streams: { type: 'string', default: '1000' },
      channels: { type: 'string' },
      sotw: { type: 'boolean', default: false },
      delta: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usageText);
    return;
  }
  if (!findConsulBinary()) {
    process.stdout.write(`consul bench SKIPPED: ${consulMissingMessage()}\n`);
    return;
  }
  const services = Number(values.services);
  const instances = Number(values.instances);
  const streams = Number(values.streams);
  const channels = Number(values.channels ?? Math.max(1, Math.ceil(streams / 100)));
  const flavours = values.sotw ? [false] : values.delta ? [true] : [true, false];
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const agent = new ConsulAgent({ httpMaxConnsPerClient: services + 500 });
  await agent.start();
  try {
    const registered = Date.now();
    const all = Array.from({ length: services * instances }, (_, k) => k);
    const instance = (k: number) => {
      const s = Math.floor(k / instances);
      const j = k % instances;
      return {
        id: `svc-${s}-${j}`,
        name: `svc-${s}`,
        address: `10.${(s >> 8) & 255}.${s & 255}.${j + 1}`,
        port: 8080,
      };
    };
    for (let i = 0; i < all.length; i += 32) {
      await Promise.all(all.slice(i, i + 32).map((k) => agent.register(instance(k))));
    }
    out(
      `consul bench: ${services} services × ${instances} instances registered in ${((Date.now() - registered) / 1000).toFixed(1)} s; ${streams} ADS streams over ${channels} channels`,
    );
    for (const delta of flavours)
      await runFlavour({ agent, services, instances, streams, channels, delta, out, instance });
  } finally {
    await agent.close();
  }
}

interface Probe {
  stream: SotwTestStream | DeltaTestStream;
  /** Every response: type, arrival, size. */
  seen: Array<{ typeUrl: string; at: number; bytes: number }>;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function openStream(
  client: XdsTestClient,
  names: { eds: string[]; routes: string[] },
  delta: boolean,
): Probe {
  const stream = delta ? client.delta('ads') : client.sotw('ads');
  const probe: Probe = { stream, seen: [] };
  const take = (): void => {
    stream.next(undefined, 3_600_000).then(
      (response: XdsResponse) => {
        probe.seen.push({ typeUrl: response.typeUrl, at: nowMs(), bytes: response.bytes });
        stream.ack(response);
        take();
      },
      () => {},
    );
  };
  take();
  stream.subscribe(TypeUrl.Cluster, ['*']);
  stream.subscribe(TypeUrl.ClusterLoadAssignment, names.eds);
  stream.subscribe(TypeUrl.Listener, ['*']);
  stream.subscribe(TypeUrl.RouteConfiguration, names.routes);
  return probe;
}

async function waitFor(check: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('consul bench: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const short = (t: string) => t.slice(t.lastIndexOf('.') + 1);

async function runFlavour(o: {
  agent: ConsulAgent;
  services: number;
  instances: number;
  streams: number;
  channels: number;
  delta: boolean;
  out: (line: string) => void;
  instance: (k: number) => { id: string; name: string; address: string; port: number };
}): Promise<void> {
  const { out } = o;
  const child = fork(fileURLToPath(new URL('./consul-bench-server.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: unknown[] = [];
  let waiting: ((m: unknown) => void) | undefined;
  child.on('message', (m) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else replies.push(m);
  });
  const next = <T>() =>
    replies.length > 0
      ? Promise.resolve(replies.shift() as T)
      : new Promise<T>((r) => {
          waiting = r as (m: unknown) => void;
        });
  const ask = <T>(c: ConsulBenchCommand) => {
    child.send(c);
    return next<T>();
  };
  await next();
  const adsPort = await freePort();
  const ready = await ask<{
    readyMs: number;
    edsNames: string[];
    routeNames: string[];
    clusterNames: string[];
  }>({
    cmd: 'start',
    consul: o.agent.address,
    services: o.services,
    instances: o.instances,
    adsPort,
  });
  const flavour = o.delta ? 'delta' : 'SotW';
  out(
    `\n${flavour}: server ready in ${(ready.readyMs / 1000).toFixed(1)} s (consul source watching ${ready.edsNames.length} services, ${ready.clusterNames.length} clusters compiled)`,
  );
  const clients = Array.from(
    { length: o.channels },
    (_, i) =>
      new XdsTestClient({
        address: `127.0.0.1:${adsPort}`,
        node: { id: `bench-${i}`, cluster: 'bench' },
        decodeResources: false,
        channelOptions: { 'bench.channel': i, 'grpc-node.flow_control_window': 268435456 },
      }),
  );
  const rows: string[] = [];
  const measure = async (
    label: string,
    t0: number,
    cpu0: ConsulBenchUsage,
    probes: Probe[],
    done: (p: Probe) => boolean,
  ) => {
    await waitFor(() => probes.every(done));
    const reached = Math.max(...probes.map((p) => p.seen.at(-1)?.at ?? t0));
    await new Promise((r) => setTimeout(r, 1000)); // stragglers (a second push would show here)
    const cpu1 = await ask<ConsulBenchUsage>({ cmd: 'usage' });
    const after = probes.flatMap((p) => p.seen.filter((s) => s.at >= t0));
    const perType = new Map<string, number>();
    for (const s of after) perType.set(s.typeUrl, (perType.get(s.typeUrl) ?? 0) + 1);
    const bytes = after.reduce((n, s) => n + s.bytes, 0);
    const pushes = [...perType].map(([t, n]) => `${short(t)} ${n}`).join(', ');
    rows.push(
      `| ${flavour} | ${label} | ${((reached - t0) / 1000).toFixed(3)} s | ${bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`} | ${((cpu1.cpuMs - cpu0.cpuMs) / 1000).toFixed(2)} s | ${pushes} |`,
    );
    out(rows.at(-1)!);
  };

  // Full push: every stream connects and receives the whole configuration.
  let cpu0 = await ask<ConsulBenchUsage>({ cmd: 'usage' });
  let t0 = nowMs();
  const names = { eds: ready.edsNames, routes: ready.routeNames };
  const probes = Array.from({ length: o.streams }, (_, i) =>
    openStream(clients[i % o.channels]!, names, o.delta),
  );
  const allTypes = [
    TypeUrl.Cluster,
    TypeUrl.ClusterLoadAssignment,
    TypeUrl.Listener,
    TypeUrl.RouteConfiguration,
  ];
  out(
    '| xDS | change | until every stream has it | bytes to all streams | server CPU (incl. 1 s idle after) | responses by type |',
  );
  out('|---|---|---|---|---|---|');
  await measure('full push (every stream connects)', t0, cpu0, probes, (p) =>
    allTypes.every((t) => p.seen.some((s) => s.typeUrl === t)),
  );

  // Endpoint-only changes: one instance of one service goes, then comes back.
  const target = Math.floor(o.services / 2);
  const k = target * o.instances + (o.instances - 1);
  for (const [label, act] of [
    [`one instance of svc-${target} deregistered`, () => o.agent.deregister(o.instance(k).id)],
    [`the same instance registered again`, () => o.agent.register(o.instance(k))],
  ] as const) {
    await new Promise((r) => setTimeout(r, 1000));
    cpu0 = await ask<ConsulBenchUsage>({ cmd: 'usage' });
    t0 = nowMs();
    await act();
    await measure(label, t0, cpu0, probes, (p) =>
      p.seen.some((s) => s.at >= t0 && s.typeUrl === TypeUrl.ClusterLoadAssignment),
    );
  }
  for (const p of probes) p.stream.close();
  for (const c of clients) c.close();
  await ask({ cmd: 'stop' });
}
