/**
 * The server side of the ADS benchmark, in a child process of its own so that
 * its CPU time and peak RSS are the server's alone. Driven over IPC by
 * ads-bench.ts: 'start' → compile + listen; 'mapping' / 'endpoint' → publish a
 * change; 'status' → how many streams hold every type ACKed; 'usage' → CPU, RSS.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Snapshot } from '@attache/core';
import { TypeUrl } from '@attache/core';
import * as current from '@attache/plugin-sink-ads';
import { compileAdsBenchSnapshot, withMovedEndpoint } from './ads-fixture.js';

export type AdsBenchCommand =
  | { cmd: 'start'; routes: number; hosts: number; vhds: boolean; types: number }
  | { cmd: 'mapping' }
  | { cmd: 'endpoint' }
  | { cmd: 'status' }
  /** `start`: the usage a phase starts from (collect first, then read the CPU; see `usage`). */
  | { cmd: 'usage'; start?: boolean }
  | { cmd: 'stop' };

export interface AdsBenchUsage {
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMb: number;
  /** Peak RSS of this process (VmHWM; see `peakRssMb`). */
  maxRssMb: number;
  /** getrusage's maxrss, for comparison: on Linux it counts the bench process's RSS at fork too. */
  rusageMaxRssMb: number;
  /** JS heap plus buffers still reachable after a full GC: what the server really keeps. */
  liveMb: number;
}

/**
 * This process's own peak RSS. Not `resourceUsage().maxRSS`: on Linux, getrusage's
 * maxrss of a spawned child starts at the RSS its parent had when it forked (the
 * kernel keeps the larger of the two across exec), so a server child forked by a
 * bench process that had just taken 1 GB of responses reported that 1 GB as its
 * own peak. /proc/self/status VmHWM is the peak of this process's own memory.
 */
function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm?.[1]) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * CPU, RSS and live memory. The full GC that measures live memory runs after
 * the CPU is read, so a phase that ends here does not pay for it; a phase that
 * starts here (`atPublish`) collects first and then reads the CPU, so neither
 * that GC nor the garbage of the recompile before it lands on delivery's CPU.
 */
function usage(atPublish = false): AdsBenchUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (atPublish) gc?.();
  const cpu = process.cpuUsage();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  if (!atPublish) gc?.();
  const memory = process.memoryUsage();
  return {
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssMb,
    maxRssMb: peakRssMb(),
    rusageMaxRssMb: process.resourceUsage().maxRSS / 1024,
    liveMb: (memory.heapUsed + memory.external) / 2 ** 20,
  };
}

/** CPU milliseconds since `start` (`setSnapshot` is synchronous: encoding what changed, before any stream is written). */
function cpuSince(start: AdsBenchUsage): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000 - start.cpuUserMs - start.cpuSystemMs;
}

/** Wall-clock milliseconds comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The sink under test: this build's, or (argv[2]) another build's dist/index.js, for a same-run comparison. */
async function sinkModule(): Promise<typeof current> {
  const path = process.argv[2];
  return path ? ((await import(pathToFileURL(path).href)) as typeof current) : current;
}

/**
 * `ADS_BENCH_PROFILE=<dir>`: a CPU profile of the server per change phase, from
 * just before publishing to the usage query after every stream ACKed
 * (`<dir>/ads-server-<phase>.cpuprofile`, for Chrome DevTools or speedscope;
 * with `ADS_BENCH_HEAP=1` also `.heapprofile`, every sampled allocation).
 */
const profileDir = process.env.ADS_BENCH_PROFILE;
let profiling: { session: Session; phase: string } | undefined;
/** `ADS_BENCH_HEAP=1` (with ADS_BENCH_PROFILE): also a sampling heap profile per phase, garbage included. */
const heapSampling = process.env.ADS_BENCH_HEAP === '1';

async function startProfile(phase: string): Promise<void> {
  if (!profileDir) return;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  if (heapSampling) {
    // Every sampled allocation, collected or not: where the phase's garbage comes from.
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 64 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never);
  }
  profiling = { session, phase };
}

async function stopProfile(): Promise<void> {
  if (!profiling) return;
  const { session, phase } = profiling;
  profiling = undefined;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(join(profileDir ?? '.', `ads-server-${phase}.cpuprofile`), JSON.stringify(profile));
  if (heapSampling) {
    const { profile: heap } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(join(profileDir ?? '.', `ads-server-${phase}.heapprofile`), JSON.stringify(heap));
  }
  session.disconnect();
}

async function serve(): Promise<void> {
  const { createXdsServer } = await sinkModule();
  let server: ReturnType<typeof createXdsServer> | undefined;
  let snapshot: Snapshot | undefined;
  let routes = 0;
  let hosts = 0;
  /** Types every settled stream has ACKed: 4, or 5 with VHDS. */
  let types = 4;
  let serial = 1;
  const reply = (message: unknown) => process.send?.(message);

  process.on('message', async (message: AdsBenchCommand) => {
    switch (message.cmd) {
      case 'start': {
        routes = message.routes;
        hosts = message.hosts;
        types = message.types;
        // A baseline build without VHDS ignores the option (and its delta streams get whole tables).
        server = createXdsServer({ address: '127.0.0.1:0', ...(message.vhds ? { vhds: true } : {}) });
        const built = compileAdsBenchSnapshot(routes, serial, 0, hosts);
        snapshot = built.snapshot;
        server.setSnapshot(snapshot);
        const port = await server.listen();
        reply({
          port,
          compileMs: built.compileMs,
          clusterNames: snapshot.resources[TypeUrl.Cluster].map((r) => r.name),
          routeNames: snapshot.resources[TypeUrl.RouteConfiguration].map((r) => r.name),
          routeConfigBytes: JSON.stringify(snapshot.resources[TypeUrl.RouteConfiguration][0]?.resource ?? {})
            .length,
        });
        break;
      }
      case 'mapping': {
        serial++;
        const built = compileAdsBenchSnapshot(routes, serial, serial, hosts);
        snapshot = built.snapshot;
        await startProfile('mapping');
        const cpuAtPublish = usage(true);
        const publishedAt = nowMs();
        server?.setSnapshot(snapshot);
        reply({
          publishedAt,
          compileMs: built.compileMs,
          cpuAtPublish,
          setSnapshotCpuMs: cpuSince(cpuAtPublish),
        });
        break;
      }
      case 'endpoint': {
        if (!snapshot) throw new Error('ads bench server: endpoint change before start');
        serial++;
        snapshot = withMovedEndpoint(snapshot, serial, 9000 + serial);
        await startProfile('endpoint');
        const cpuAtPublish = usage(true);
        const publishedAt = nowMs();
        server?.setSnapshot(snapshot);
        reply({ publishedAt, cpuAtPublish, setSnapshotCpuMs: cpuSince(cpuAtPublish) });
        break;
      }
      case 'status': {
        const streams = server?.streams() ?? [];
        const settled = streams.filter(
          (s) => s.types.length === types && s.types.every((t) => !t.pending && t.acks > 0),
        );
        const pushes: Record<string, number> = {};
        for (const s of streams)
          for (const t of s.types) pushes[t.typeUrl] = (pushes[t.typeUrl] ?? 0) + t.pushes;
        // A Set: `includes` over 1,000 settled streams per stream was a million comparisons per poll, on the server's CPU.
        const settledSet = new Set(settled);
        const stuck = streams.find((s) => !settledSet.has(s));
        reply({
          streams: streams.length,
          settled: settled.length,
          pushes,
          at: nowMs(),
          // One stream still on its way, for the progress lines of a slow run.
          example: stuck?.types.map((t) => ({
            type: t.typeUrl.slice(t.typeUrl.lastIndexOf('.') + 1),
            pending: t.pending,
            pushes: t.pushes,
            acks: t.acks,
            resources: t.resources,
          })),
        });
        break;
      }
      case 'usage':
        await stopProfile();
        reply(usage(message.start === true));
        break;
      case 'stop':
        await server?.close(2000);
        reply({ stopped: true });
        process.exit(0);
    }
  });
  reply({ ready: true });
}

await serve();
