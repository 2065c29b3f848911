import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, type StoredResource, TypeUrl } from '../../packages/core/src/index.js';
import { envoyPlugin } from '../../packages/envoy/src/index.js';
import { Runtime, silentLogger } from '../../packages/runtime/src/index.js';
import {
  EchoServer,
  EnvoyProcess,
  envoyMissingMessage,
  findEnvoyBinary,
  freePort,
  type XdsResponse,
  XdsTestClient,
} from '../../packages/testkit/src/index.js';
import { httpPlugin } from '../../plugins/http/src/index.js';
import { sinkAdsPlugin } from '../../plugins/sink-ads/src/index.js';
import {
  KubeClient,
  kubernetesSourcePlugin,
  loadKubeConfig,
} from '../../plugins/source-kubernetes/src/index.js';
import { eventually } from '../../plugins/source-kubernetes/src/test-support.js';
import { loadManifests } from '../../tools/crdgen/src/index.js';
import { missingBinaries, RealControlPlane } from './kube-apiserver-harness.js';

/**
 * The KubernetesEndpointResolver end to end on a real kube-apiserver: EndpointSlices
 * written through its API reach an ADS stream as ClusterLoadAssignments, and only as
 * those (responses counted per type). The addresses are from the documentation range
 * (192.0.2.0/24): the API server refuses loopback addresses in EndpointSlices.
 *
 * Then traffic: a real Envoy on the same ADS server, and EndpointSlices that name this
 * machine's own non-loopback IPv4 address (which the API server accepts) with the ports
 * of two echo upstreams listening on it: requests follow the slices as they change.
 */
const envoyBinary = findEnvoyBinary();
if (!envoyBinary) console.warn(envoyMissingMessage('e2e-kubernetes endpoint resolver traffic'));
/** This machine's first non-loopback IPv4 address: EndpointSlices may name it, and Envoy can dial it. */
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!hostIp) console.warn('e2e-kubernetes endpoint resolver traffic: SKIPPED — no non-loopback IPv4 address');
const missing = missingBinaries();
if (missing) console.warn(`\n*** e2e-kubernetes endpoint resolver EDS: SKIPPED — ${missing}\n`);

const v3 = 'getambassador.io/v3alpha1';
const slices = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';

const slice = (name: string, ips: Array<[string, boolean]>) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'shop' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: ips.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
});

describe.skipIf(missing !== undefined)(
  'KubernetesEndpointResolver: EndpointSlices to EDS alone (real API server)',
  () => {
    const plane = new RealControlPlane();
    let client: KubeClient;
    let runtime: Runtime | undefined;
    let xds: XdsTestClient | undefined;
    let adsPort = 0;
    let edgePort = 0;

    beforeAll(async () => {
      await plane.start();
      const file = join(mkdtempSync(join(tmpdir(), 'attache-e2e-kc-')), 'kubeconfig');
      writeFileSync(file, plane.kubeconfig());
      client = new KubeClient(loadKubeConfig({ kubeconfig: file }));
      const crds = loadManifests(join(import.meta.dirname, '..', '..', 'deploy')).filter(
        (m) => m.kind === 'CustomResourceDefinition',
      );
      for (const crd of crds) {
        const { file: _f, ...body } = crd;
        await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body);
      }
      for (const crd of crds) {
        const plural = (crd.spec as { names: { plural: string } }).names.plural;
        await eventually(() => client.request('GET', `/apis/${v3}/${plural}`), 60_000);
      }
      await eventually(() => client.request('GET', '/api/v1/namespaces/default'), 60_000);
      await client.request('POST', '/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'shop', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
      await client.request(
        'POST',
        slices,
        slice('shop-1', [
          ['192.0.2.10', true],
          ['192.0.2.11', true],
        ]),
      );
      const port = await freePort();
      adsPort = port;
      edgePort = await freePort();
      runtime = new Runtime({
        pipeline: createPipeline([httpPlugin, envoyPlugin, sinkAdsPlugin, kubernetesSourcePlugin]),
        sources: new Map([
          ['kubernetes', { kubeconfig: file, retry: { initialDelayMs: 50, maxDelayMs: 1000 } }],
        ]),
        sinks: new Map([['ads', { address: `127.0.0.1:${port}` }]]),
        logger: silentLogger(),
        baseDir: process.cwd(),
        debounce: { quietMs: 20, maxMs: 200 },
      });
      const at = { source: 'e2e' };
      const edge = runtime.store.writerFor('e2e', 'http');
      const obj = (kind: string, name: string, spec: Record<string, unknown>): StoredResource => ({
        resource: { apiVersion: v3, kind, metadata: { name, namespace: 'default' }, spec },
        origin: at,
      });
      edge.replace('all', [
        obj('Listener', 'edge', {
          port: edgePort,
          protocol: 'HTTP',
          securityModel: 'XFP',
          hostBinding: { namespace: { from: 'ALL' } },
        }),
        obj('Mapping', 'shop', { hostname: '*', prefix: '/shop/', service: 'shop:80', resolver: 'endpoint' }),
        obj('Host', 'any', { hostname: '*', requestPolicy: { insecure: { action: 'Route' } } }),
        obj('Mapping', 'cart', { hostname: '*', prefix: '/cart/', service: 'cart:80', resolver: 'endpoint' }),
      ]);
      edge.synced();
      await runtime.start();
      xds = new XdsTestClient({ address: `127.0.0.1:${port}`, node: { id: 'e2e-k8s', cluster: 'edge' } });
    }, 240_000);
    afterAll(async () => {
      xds?.close();
      await runtime?.stop();
      await plane.stop();
    }, 60_000);

    it('sends the ready endpoints, and each slice change as one EDS response and nothing else', async () => {
      const ads = xds!.delta('ads');
      const types = [
        TypeUrl.Cluster,
        TypeUrl.ClusterLoadAssignment,
        TypeUrl.Listener,
        TypeUrl.RouteConfiguration,
      ];
      for (const t of types) ads.subscribe(t, ['*']);
      const addresses = (r: XdsResponse) =>
        (
          JSON.stringify(r.resources.find((x) => x.name === 'k8s/default/shop/80')?.json ?? {}).match(
            /"address":"[0-9.]+"/g,
          ) ?? []
        )
          .map((m) => m.slice('"address":"'.length, -1))
          .sort();
      /** ACKs every response until one carries the shop assignment with these addresses. */
      const waitFor = async (want: string[]) => {
        for (;;) {
          const r = await ads.next(undefined, 30_000);
          ads.ack(r);
          if (r.typeUrl === TypeUrl.ClusterLoadAssignment && addresses(r).join() === want.join()) return;
        }
      };
      await waitFor(['192.0.2.10', '192.0.2.11']);
      // Every type has arrived once; count from here.
      await new Promise((r) => setTimeout(r, 500));
      for (const r of ads.pending()) ads.ack(r);
      ads.queue.length = 0;
      const before = ads.history.length;

      await client.request('POST', slices, slice('shop-2', [['192.0.2.12', true]]));
      await waitFor(['192.0.2.10', '192.0.2.11', '192.0.2.12']);
      const current = await client.request<{ metadata: { resourceVersion: string } }>(
        'GET',
        `${slices}/shop-1`,
      );
      const notReady = slice('shop-1', [
        ['192.0.2.10', false],
        ['192.0.2.11', true],
      ]);
      await client.request('PUT', `${slices}/shop-1`, {
        ...notReady,
        metadata: { ...notReady.metadata, resourceVersion: current.metadata.resourceVersion },
      });
      await waitFor(['192.0.2.11', '192.0.2.12']);
      await client.request('DELETE', `${slices}/shop-2`);
      await waitFor(['192.0.2.11']);
      await new Promise((r) => setTimeout(r, 300));
      const after = ads.history.slice(before);
      expect([...new Set(after.map((r) => r.typeUrl))]).toEqual([TypeUrl.ClusterLoadAssignment]);
      for (const r of after) expect(r.resources.map((x) => x.name)).toEqual(['k8s/default/shop/80']);
    }, 120_000);

    it.skipIf(!envoyBinary || !hostIp)(
      'a real Envoy sends requests to the endpoints of the EndpointSlices, and follows them',
      async () => {
        const ip = hostIp!;
        const up = [
          await EchoServer.start({ name: 'cart-a', host: ip }),
          await EchoServer.start({ name: 'cart-b', host: ip }),
        ];
        const envoy = await EnvoyProcess.start({
          name: 'k8s-eds',
          bootstrap: {
            node: { id: 'e2e-k8s-envoy', cluster: 'edge' },
            dynamic_resources: {
              ads_config: {
                api_type: 'DELTA_GRPC',
                transport_api_version: 'V3',
                grpc_services: [{ envoy_grpc: { cluster_name: 'attache-ads' } }],
              },
              lds_config: { ads: {}, resource_api_version: 'V3' },
              cds_config: { ads: {}, resource_api_version: 'V3' },
            },
            static_resources: {
              clusters: [
                {
                  name: 'attache-ads',
                  type: 'STATIC',
                  connect_timeout: '1s',
                  typed_extension_protocol_options: {
                    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
                      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
                      explicit_http_config: { http2_protocol_options: {} },
                    },
                  },
                  load_assignment: {
                    cluster_name: 'attache-ads',
                    endpoints: [
                      {
                        lb_endpoints: [
                          {
                            endpoint: {
                              address: { socket_address: { address: '127.0.0.1', port_value: adsPort } },
                            },
                          },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          },
        });
        /** One slice per upstream: same Service port name, each with its own target port. */
        const cartSlice = (name: string, port: number, ready = true) => ({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'cart' } },
          addressType: 'IPv4',
          ports: [{ name: 'http', port, protocol: 'TCP' }],
          endpoints: [{ addresses: [ip], conditions: { ready } }],
        });
        const get = (path: string) =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = httpRequest(
              { host: '127.0.0.1', port: edgePort, path, headers: { host: 'cart.example' }, agent: false },
              (res) => {
                let body = '';
                res.on('data', (c) => {
                  body += c;
                });
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              },
            );
            req.on('error', reject);
            req.end();
          });
        /** Which upstreams answer /cart/ over 20 requests. */
        const backends = async () => {
          const seen = new Set<string>();
          for (let i = 0; i < 20; i++) {
            const r = await get(`/cart/${i}`).catch((e: Error) => ({ status: 0, body: e.message }));
            seen.add(
              r.status === 200 ? (JSON.parse(r.body) as { backend: string }).backend : `status ${r.status}`,
            );
          }
          return [...seen].sort();
        };
        const until = async (want: string[], what: string) => {
          const deadline = Date.now() + 30_000;
          let last: string[] = [];
          while (Date.now() < deadline) {
            last = await backends();
            if (last.join() === want.join()) return;
            await new Promise((r) => setTimeout(r, 200));
          }
          throw new Error(`${what}: /cart/ answered by ${last.join(', ')}, not ${want.join(', ')}`);
        };
        try {
          await client.request('POST', '/api/v1/namespaces/default/services', {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'cart', namespace: 'default' },
            spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
          });
          await client.request('POST', slices, cartSlice('cart-a', up[0]!.port));
          await until(['cart-a'], 'one slice');
          await client.request('POST', slices, cartSlice('cart-b', up[1]!.port));
          await until(['cart-a', 'cart-b'], 'two slices');
          const current = await client.request<{ metadata: { resourceVersion: string } }>(
            'GET',
            `${slices}/cart-a`,
          );
          const notReady = cartSlice('cart-a', up[0]!.port, false);
          await client.request('PUT', `${slices}/cart-a`, {
            ...notReady,
            metadata: { ...notReady.metadata, resourceVersion: current.metadata.resourceVersion },
          });
          await until(['cart-b'], 'cart-a not ready');
          await client.request('DELETE', `${slices}/cart-b`);
          await until(['status 503'], 'no ready endpoint left');
          const stats = await envoy.xdsStats();
          expect(stats.eds.updateRejected + stats.cds.updateRejected + stats.lds.updateRejected).toBe(0);
        } finally {
          await envoy.stop();
          for (const u of up) await u.close();
        }
      },
      120_000,
    );
  },
);
