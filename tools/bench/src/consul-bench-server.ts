/**
 * The server side of the Consul benchmark, in a child process so that its CPU
 * time is the server's alone: the whole serve path — the consul source watching
 * a real agent, the runtime compiling, the ADS sink — driven over IPC by
 * consul-bench.ts: 'start' → ready once every service's endpoints are in the
 * snapshot; 'usage' → CPU; 'stop'.
 */
import { createPipeline, type StoredResource, TypeUrl } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { sinkAdsPlugin } from '@attache/plugin-sink-ads';
import { consulSourcePlugin } from '@attache/plugin-source-consul';
import { Runtime, silentLogger } from '@attache/runtime';

export type ConsulBenchCommand =
  | { cmd: 'start'; consul: string; services: number; instances: number; adsPort: number }
  | { cmd: 'usage' }
  | { cmd: 'stop' };

export interface ConsulBenchUsage {
  cpuMs: number;
  at: number;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function usage(): ConsulBenchUsage {
  const cpu = process.cpuUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, at: nowMs() };
}

/** A Listener, a ConsulResolver and one Mapping per Consul service. */
export function consulBenchInputs(consul: string, services: number): StoredResource[] {
  const origin = { source: 'bench' };
  const obj = (kind: string, name: string, spec: Record<string, unknown>): StoredResource => ({
    resource: {
      apiVersion: 'getambassador.io/v3alpha1',
      kind,
      metadata: { name, namespace: 'default' },
      spec,
    },
    origin,
  });
  return [
    obj('Listener', 'edge', {
      port: 8080,
      protocol: 'HTTP',
      securityModel: 'XFP',
      hostBinding: { namespace: { from: 'ALL' } },
    }),
    obj('ConsulResolver', 'consul', { address: consul, datacenter: 'dc1' }),
    ...Array.from({ length: services }, (_, i) =>
      obj('Mapping', `svc-${i}`, {
        hostname: '*',
        prefix: `/svc-${i}/`,
        service: `svc-${i}`,
        resolver: 'consul',
      }),
    ),
  ];
}

async function serve(): Promise<void> {
  let runtime: Runtime | undefined;
  const reply = (message: unknown) => process.send?.(message);
  process.on('message', async (message: ConsulBenchCommand) => {
    switch (message.cmd) {
      case 'start': {
        runtime = new Runtime({
          pipeline: createPipeline([httpPlugin, envoyPlugin, sinkAdsPlugin, consulSourcePlugin]),
          sources: new Map([['consul', { waitSeconds: 300, syncTimeoutMs: 120_000 }]]),
          sinks: new Map([['ads', { address: `127.0.0.1:${message.adsPort}` }]]),
          logger: silentLogger(),
          baseDir: process.cwd(),
          // serve's default debounce
          debounce: { quietMs: 100, maxMs: 1000 },
        });
        const edge = runtime.store.writerFor('bench', 'http');
        edge.replace('all', consulBenchInputs(message.consul, message.services));
        edge.synced();
        const started = nowMs();
        await runtime.start();
        const complete = () => {
          const cla = runtime?.snapshot()?.resources[TypeUrl.ClusterLoadAssignment] ?? [];
          return (
            cla.length === message.services &&
            cla.every(
              (r) =>
                ((r.resource as { endpoints?: Array<{ lb_endpoints?: unknown[] }> }).endpoints?.[0]
                  ?.lb_endpoints?.length ?? 0) === message.instances,
            )
          );
        };
        while (!complete()) await new Promise((r) => setTimeout(r, 50));
        const snapshot = runtime.snapshot()!;
        reply({
          readyMs: nowMs() - started,
          clusterNames: snapshot.resources[TypeUrl.Cluster].map((r) => r.name),
          edsNames: snapshot.resources[TypeUrl.ClusterLoadAssignment].map((r) => r.name),
          routeNames: snapshot.resources[TypeUrl.RouteConfiguration].map((r) => r.name),
        });
        break;
      }
      case 'usage':
        reply(usage());
        break;
      case 'stop':
        await runtime?.stop();
        reply({ stopped: true });
        process.exit(0);
    }
  });
  reply({ ready: true });
}

if (process.send) await serve();
