import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPipeline,
  type Diagnostic,
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
 * A NACK's diagnostic belongs to the client that sent it and to the version it
 * refused, over a real gRPC ADS stream: it goes away when that Envoy
 * disconnects (per-pod node ids must not leave permanent errors) and when the
 * refused resource changes, and stays while both hold.
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
const clients: XdsTestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await runtime?.stop();
  runtime = undefined;
});

async function serve(
  resources: StoredResource[],
): Promise<{ port: number; rt: Runtime; store: ReturnType<Runtime['store']['writerFor']> }> {
  const port = await freePort();
  const rt = new Runtime({
    pipeline: createPipeline([httpPlugin, envoyPlugin, sinkAdsPlugin]),
    sources: new Map(),
    sinks: new Map([['ads', { address: `127.0.0.1:${port}` }]]),
    logger: silentLogger(),
    baseDir: process.cwd(),
  });
  runtime = rt;
  await rt.start();
  const store = rt.store.writerFor('e2e', 'http');
  store.replace('all', resources);
  store.synced();
  await rt.flush();
  return { port, rt, store };
}

function connect(port: number, nodeId: string): XdsTestClient {
  const client = new XdsTestClient({ address: `127.0.0.1:${port}`, node: { id: nodeId, cluster: 'edge' } });
  clients.push(client);
  return client;
}

const rejections = (rt: Runtime): Diagnostic[] => rt.diagnostics().filter((d) => d.code === 'ENVOY_REJECTED');

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Connects a client, receives the clusters and NACKs the 'api' one; resolves once the runtime holds the rejection. */
async function rejectApiCluster(rt: Runtime, port: number, nodeId: string, variant: 'delta' | 'sotw') {
  const client = connect(port, nodeId);
  const stream = variant === 'delta' ? client.delta('ads') : client.sotw('ads');
  stream.subscribe(TypeUrl.Cluster, variant === 'delta' ? ['*'] : []);
  const clusters = await stream.next(TypeUrl.Cluster);
  const api = clusters.resources.find((r) => JSON.stringify(r.json).includes('api.default'));
  expect(api).toBeDefined();
  const before = rt.feedback.clientsWithRejections;
  stream.nack(clusters, `cluster ${api?.name}: rejected by ${nodeId}`);
  await until(`${nodeId}'s NACK is recorded`, () => rt.feedback.clientsWithRejections > before);
  return { client, stream };
}

describe('NACK diagnostics over ADS', () => {
  it('go away when the Envoy that sent them disconnects, and not before', async () => {
    const { port, rt } = await serve([
      listener,
      mapping('api', '/api/', 'api.default:8080'),
      mapping('web', '/', 'web.default:80'),
    ]);
    const first = await rejectApiCluster(rt, port, 'edge-pod-1', 'delta');
    const second = await rejectApiCluster(rt, port, 'edge-pod-2', 'sotw');
    expect(rejections(rt).map((d) => [d.resource?.name, d.message.includes('edge-pod-1')])).toEqual([
      ['api', true],
      ['api', false],
    ]);
    expect(rt.feedback.clientsWithRejections).toBe(2);

    // Pod 1 is replaced: its stream closes, and only pod 2's rejection remains.
    first.stream.close();
    await until('pod 1 is forgotten', () => rt.feedback.clientsWithRejections === 1);
    expect(rejections(rt)).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ kind: 'Mapping', name: 'api' }),
        message: expect.stringContaining('edge-pod-2'),
      }),
    ]);

    second.stream.close();
    await until('pod 2 is forgotten', () => rt.feedback.clientsWithRejections === 0);
    expect(rejections(rt)).toEqual([]);
  });

  it('go away when the refused resource changes, while the client stays connected', async () => {
    const { port, rt, store } = await serve([
      listener,
      mapping('api', '/api/', 'api.default:8080'),
      mapping('web', '/', 'web.default:80'),
    ]);
    const { stream } = await rejectApiCluster(rt, port, 'edge-pod-1', 'delta');
    expect(rejections(rt)).toHaveLength(1);

    // A change elsewhere leaves the refused cluster as it was: the rejection still holds.
    store.replace('all', [
      listener,
      mapping('api', '/api/', 'api.default:8080'),
      mapping('web', '/', 'web.default:80'),
      mapping('docs', '/docs/', 'docs.default:80'),
    ]);
    await rt.flush();
    expect(rejections(rt).map((d) => d.resource?.name)).toEqual(['api']);

    // The user fixes the Mapping: the cluster gets another content hash, so the old refusal no longer applies.
    store.replace('all', [
      listener,
      mapping('api', '/api/', 'api.default:8081'),
      mapping('web', '/', 'web.default:80'),
      mapping('docs', '/docs/', 'docs.default:80'),
    ]);
    await rt.flush();
    expect(rejections(rt)).toEqual([]);
    // The stream is still alive and gets the new cluster (after the 'docs' one, which it ACKs first).
    let seen = '';
    while (!seen.includes('8081')) {
      const update = await stream.next(TypeUrl.Cluster);
      seen += JSON.stringify(update.resources.map((r) => r.json));
      stream.ack(update);
    }
  });
});
