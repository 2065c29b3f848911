import { definePlugin, type IRCluster, type IRListener, type Plugin } from '@attache/core';

export interface DevRewrites {
  /** Service short name (the first DNS label of a Mapping's `service`) → the local demo upstream's port. */
  upstreams: ReadonlyMap<string, number>;
  /** Added to every Listener port, for a machine where 8080/8443 are taken (0: none). */
  portOffset: number;
}

/**
 * `attache dev` only: points the bundled example's clusters at local demo
 * upstreams (the example names Kubernetes Services such as `users.default:8080`,
 * which do not resolve on a laptop) and shifts Listener ports when asked. It
 * runs last before lowering and replaces the objects it changes (IR objects are
 * shared), so everything else — routes, rewrites, headers, TLS — is exactly
 * what `serve` would send.
 */
export function devPlugin(rewrites: DevRewrites): Plugin {
  return definePlugin({
    id: 'dev',
    register(reg) {
      reg.pass({
        id: 'dev.local-upstreams',
        phase: 'finalize',
        reason:
          'rewrites the addresses of clusters and listeners that every earlier pass has finished building',
        reads: ['ir.clusters', 'ir.listeners'],
        writes: ['ir.clusters', 'ir.listeners'],
        run(ctx) {
          for (const [name, cluster] of Object.entries(ctx.ir.clusters)) {
            const local = localTargets(cluster, rewrites.upstreams);
            if (local) ctx.ir.clusters[name] = { ...cluster, discovery: 'STATIC', targets: local };
          }
          if (rewrites.portOffset === 0) return;
          for (const [name, listener] of Object.entries(ctx.ir.listeners)) {
            ctx.ir.listeners[name] = {
              ...listener,
              port: listener.port + rewrites.portOffset,
            } satisfies IRListener;
          }
        },
      });
    },
  });
}

function localTargets(
  cluster: IRCluster,
  upstreams: ReadonlyMap<string, number>,
): IRCluster['targets'] | undefined {
  if (cluster.discovery !== 'STRICT_DNS' && cluster.discovery !== 'LOGICAL_DNS') return undefined;
  const targets = cluster.targets ?? [];
  const ports = targets.map((t) => upstreams.get(t.host.split('.')[0] ?? ''));
  if (targets.length === 0 || ports.some((p) => p === undefined)) return undefined;
  return ports.map((port) => ({ host: '127.0.0.1', port: port as number }));
}
