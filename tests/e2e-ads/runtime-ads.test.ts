import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPipeline,
  envoyPlugin,
  httpPlugin,
  Runtime,
  type StoredResource,
  silentLogger,
  sinkAdsPlugin,
  TypeUrl,
  XdsTestClient,
} from './deps.js';

/**
 * The whole path inside one process: store → runtime compile → the 'ads'
 * sink → an xDS client; and back: the client's NACK becomes a diagnostic on
 * the Mapping that produced the rejected cluster.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function mapping(name: string, prefix: string, service: string): StoredResource {
  return {
    resource: {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name, namespace: 'default' },
      spec: { hostname: '*', prefix, service },
    },
    origin: { source: 'e2e' },
  };
}

const listener: StoredResource = {
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name: 'edge', namespace: 'default' },
    spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
  },
  origin: { source: 'e2e' },
};

let runtime: Runtime | undefined;
let client: XdsTestClient | undefined;
afterEach(async () => {
  client?.close();
  await runtime?.stop();
  runtime = undefined;
});

describe('runtime + sink-ads', () => {
  it('serves compiled Mappings over ADS and turns a NACK into a diagnostic on the Mapping', async () => {
    const port = await freePort();
    runtime = new Runtime({
      pipeline: createPipeline([httpPlugin, envoyPlugin, sinkAdsPlugin]),
      sources: new Map(),
      sinks: new Map([['ads', { address: `127.0.0.1:${port}` }]]),
      logger: silentLogger(),
      baseDir: process.cwd(),
    });
    await runtime.start();
    const store = runtime.store.writerFor('e2e', 'http');
    store.replace('all', [
      listener,
      mapping('api', '/api/', 'api.default:8080'),
      mapping('web', '/', 'web.default:80'),
    ]);
    store.synced();
    await runtime.flush();

    client = new XdsTestClient({ address: `127.0.0.1:${port}`, node: { id: 'envoy-e2e', cluster: 'edge' } });
    const ads = client.delta('ads');
    ads.subscribe(TypeUrl.Cluster, ['*']);
    const clusters = await ads.next(TypeUrl.Cluster);
    expect(clusters.resources).toHaveLength(2);
    const apiCluster = clusters.resources.find((r) => JSON.stringify(r.json).includes('api.default'));
    expect(apiCluster).toBeDefined();

    ads.nack(clusters, `cluster ${apiCluster?.name}: rejected by this Envoy`);
    const deadline = Date.now() + 10_000;
    const rejected = () => runtime?.diagnostics().filter((d) => d.code === 'ENVOY_REJECTED') ?? [];
    while (rejected().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(rejected()).toEqual([
      expect.objectContaining({
        severity: 'error',
        resource: expect.objectContaining({ kind: 'Mapping', name: 'api', namespace: 'default' }),
      }),
    ]);
  });
});
