import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsulAgent,
  consulMissingMessage,
  findConsulBinary,
  freePort,
} from '../../packages/testkit/src/index.js';
import { consulSourcePlugin } from '../../plugins/source-consul/src/index.js';
import {
  createPipeline,
  envoyPlugin,
  httpPlugin,
  Runtime,
  type StoredResource,
  silentLogger,
  sinkAdsPlugin,
  TypeUrl,
  type XdsResponse,
  XdsTestClient,
} from './deps.js';

/**
 * The EDS fast path, end to end in one process with a real Consul agent: an
 * instance that comes, goes or fails its check reaches an ADS client as a
 * ClusterLoadAssignment and nothing else — no Cluster, Listener or
 * RouteConfiguration response (counted per type on the stream).
 */
const missing = findConsulBinary() ? undefined : consulMissingMessage();
if (missing) console.warn(`\n*** tests/e2e-ads/consul-eds SKIPPED: ${missing}\n`);

const at = { source: 'e2e' };
const obj = (kind: string, name: string, spec: Record<string, unknown>): StoredResource => ({
  resource: { apiVersion: 'getambassador.io/v3alpha1', kind, metadata: { name, namespace: 'default' }, spec },
  origin: at,
});

describe.skipIf(missing !== undefined)('Consul endpoints over ADS: EDS alone', () => {
  const agent = new ConsulAgent();
  let runtime: Runtime | undefined;
  let client: XdsTestClient | undefined;
  beforeAll(async () => {
    await agent.start();
  }, 90_000);
  afterAll(async () => {
    client?.close();
    await runtime?.stop();
    await agent.close();
  });

  it('pushes only ClusterLoadAssignments when instances change, per type counted on a delta ADS stream', async () => {
    await agent.register({ id: 'shop-1', name: 'shop', address: '127.0.0.51', port: 8080, ttlCheck: true });
    await agent.register({ id: 'shop-2', name: 'shop', address: '127.0.0.52', port: 8080, ttlCheck: true });
    const port = await freePort();
    runtime = new Runtime({
      pipeline: createPipeline([httpPlugin, envoyPlugin, sinkAdsPlugin, consulSourcePlugin]),
      sources: new Map([['consul', { waitSeconds: 30, backoff: { initialMs: 50, maxMs: 500 } }]]),
      sinks: new Map([['ads', { address: `127.0.0.1:${port}` }]]),
      logger: silentLogger(),
      baseDir: process.cwd(),
      debounce: { quietMs: 20, maxMs: 200 },
    });
    // The edge's own resources, from a source of their own written before start.
    const edge = runtime.store.writerFor('e2e', 'http');
    edge.replace('all', [
      obj('Listener', 'edge', {
        port: 8080,
        protocol: 'HTTP',
        securityModel: 'XFP',
        hostBinding: { namespace: { from: 'ALL' } },
      }),
      obj('ConsulResolver', 'consul-dc1', { address: agent.address, datacenter: 'dc1' }),
      obj('Mapping', 'shop', { hostname: '*', prefix: '/shop/', service: 'shop', resolver: 'consul-dc1' }),
      obj('Mapping', 'web', { hostname: '*', prefix: '/', service: 'web:80' }),
    ]);
    edge.synced();
    await runtime.start();
    await runtime.flush();

    client = new XdsTestClient({ address: `127.0.0.1:${port}`, node: { id: 'e2e-consul', cluster: 'edge' } });
    const ads = client.delta('ads');
    const types = [
      TypeUrl.Cluster,
      TypeUrl.ClusterLoadAssignment,
      TypeUrl.Listener,
      TypeUrl.RouteConfiguration,
    ];
    for (const t of types) ads.subscribe(t, ['*']);
    for (const t of types) ads.ack(await ads.next(t));
    /** The shop assignment's endpoint addresses, from the decoded proto (either JSON spelling). */
    const cla = (r: XdsResponse) => r.resources.find((x) => x.name === 'consul/dc1/shop')?.json;
    const addresses = (r: XdsResponse) =>
      (JSON.stringify(cla(r) ?? {}).match(/"address":"[0-9.]+"/g) ?? [])
        .map((m) => m.slice('"address":"'.length, -1))
        .sort();
    const initial = ads.history.filter((r) => r.typeUrl === TypeUrl.ClusterLoadAssignment);
    expect(addresses(initial.at(-1)!)).toEqual(['127.0.0.51', '127.0.0.52']);
    const before = ads.history.length;

    /** Waits for a ClusterLoadAssignment of shop with these addresses; ACKs everything on the way. */
    const waitFor = async (want: string[]) => {
      for (;;) {
        const r = await ads.next(undefined, 15_000);
        ads.ack(r);
        if (r.typeUrl === TypeUrl.ClusterLoadAssignment && cla(r) && addresses(r).join() === want.join())
          return;
      }
    };
    await agent.register({ id: 'shop-3', name: 'shop', address: '127.0.0.53', port: 8080, ttlCheck: true });
    await waitFor(['127.0.0.51', '127.0.0.52', '127.0.0.53']);
    await agent.deregister('shop-2');
    await waitFor(['127.0.0.51', '127.0.0.53']);
    await agent.setCheck('shop-1', 'fail');
    await waitFor(['127.0.0.53']);
    // Let any straggling response arrive before counting.
    await new Promise((r) => setTimeout(r, 300));
    const after = ads.history.slice(before);
    const perType = new Map<string, number>();
    for (const r of after) perType.set(r.typeUrl, (perType.get(r.typeUrl) ?? 0) + 1);
    expect([...perType.keys()]).toEqual([TypeUrl.ClusterLoadAssignment]);
    expect(perType.get(TypeUrl.ClusterLoadAssignment)).toBeGreaterThanOrEqual(3);
    // Delta: each response carries the one changed assignment, not the Kubernetes cluster's.
    for (const r of after) expect(r.resources.map((x) => x.name)).toEqual(['consul/dc1/shop']);
  }, 90_000);
});
