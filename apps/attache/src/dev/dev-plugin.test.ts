import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, createPipeline, TypeUrl } from '@attache/core';
import { readResourcesFromPaths } from '@attache/plugin-source-file';
import { describe, expect, it } from 'vitest';
import { loadDistribution } from '../distribution.js';
import { devPlugin } from './dev-plugin.js';

const quickstart = resolve(fileURLToPath(new URL('../../../..', import.meta.url)), 'examples/quickstart');

// biome-ignore lint/suspicious/noExplicitAny: reading Envoy JSON in a test
type Json = Record<string, any>;

async function compileQuickstart(plugins: Parameters<typeof devPlugin>[0] | undefined) {
  const { plugins: distribution } = await loadDistribution();
  const pipeline = createPipeline(plugins ? [...distribution, devPlugin(plugins)] : distribution);
  const { resources } = readResourcesFromPaths([quickstart], process.cwd());
  const out = compile(resources, pipeline, { ambassadorId: 'default' });
  const clusters = out.xds[TypeUrl.Cluster].map((r) => r.resource as Json);
  const listeners = out.xds[TypeUrl.Listener].map((r) => r.resource as Json);
  const endpoints = (c: Json) =>
    (c.load_assignment.endpoints as Json[]).flatMap((e) =>
      (e.lb_endpoints as Json[]).map(
        (l) => `${l.endpoint.address.socket_address.address}:${l.endpoint.address.socket_address.port_value}`,
      ),
    );
  return {
    out,
    byService: Object.fromEntries(
      clusters.map((c) => [c.name as string, { type: c.type, endpoints: endpoints(c) }]),
    ),
    ports: listeners.map((l) => l.address.socket_address.port_value as number).sort(),
    routes: out.xds[TypeUrl.RouteConfiguration].map((r) => r.resource),
  };
}

describe('dev plugin (attache dev only)', () => {
  it('sends the example services to local demo upstreams and shifts listener ports, changing nothing else', async () => {
    const plain = await compileQuickstart(undefined);
    const upstreams = new Map([
      ['quote', 41001],
      ['users', 41002],
      ['users-beta', 41003],
      ['catalog-v1', 41004],
      ['catalog-v2', 41005],
    ]);
    const dev = await compileQuickstart({ upstreams, portOffset: 1000 });
    expect(dev.out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);

    // Same clusters by name, each now a STATIC cluster on the demo upstream of its service.
    expect(Object.keys(dev.byService).sort()).toEqual(Object.keys(plain.byService).sort());
    const demoPorts = Object.values(dev.byService).flatMap((c) => c.endpoints);
    expect(new Set(demoPorts)).toEqual(new Set([...upstreams.values()].map((p) => `127.0.0.1:${p}`)));
    for (const [name, cluster] of Object.entries(dev.byService)) {
      expect(cluster.type, name).toBe('STATIC');
      const original = plain.byService[name]?.endpoints[0] ?? '';
      const service = original.split(':')[0]?.split('.')[0] ?? '';
      expect(cluster.endpoints, name).toEqual([`127.0.0.1:${upstreams.get(service)}`]);
    }
    expect(dev.ports).toEqual(plain.ports.map((p) => p + 1000));
    // Routing itself is untouched.
    expect(dev.routes).toEqual(plain.routes);
  });

  it('leaves clusters whose service is not a demo service alone', async () => {
    const dev = await compileQuickstart({ upstreams: new Map([['quote', 41001]]), portOffset: 0 });
    const changed = Object.entries(dev.byService).filter(([, c]) => c.type === 'STATIC');
    expect(changed.map(([, c]) => c.endpoints)).toEqual([['127.0.0.1:41001']]);
    expect(Object.values(dev.byService).filter((c) => c.type === 'STRICT_DNS')).toHaveLength(4);
  });
});
