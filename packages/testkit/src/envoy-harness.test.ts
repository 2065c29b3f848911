import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import { type EchoRequest, EchoServer } from './echo-upstream.js';
import { envoyMissingMessage, findEnvoyBinary } from './envoy-binary.js';
import { EnvoyProcess } from './envoy-process.js';
import { freePort } from './free-port.js';
import { GrpcEchoServer, grpcEchoClient } from './grpc-upstream.js';
import { makeCa, makeCertificate } from './tls-certs.js';
import { WebSocketEchoServer } from './ws-echo.js';

/**
 * The harness itself, on a real Envoy with a hand-written static bootstrap
 * (no Attaché involved): every upstream kind answers through Envoy, and the
 * admin readers see what Envoy holds.
 */
const envoyBinary = findEnvoyBinary();
if (!envoyBinary) console.warn(envoyMissingMessage('testkit envoy harness'));

function cluster(name: string, port: number, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
          ],
        },
      ],
    },
    ...extra,
  };
}

const http2Upstream = {
  typed_extension_protocol_options: {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      explicit_http_config: { http2_protocol_options: {} },
    },
  },
};

describe.skipIf(!envoyBinary)('testkit: real Envoy harness and upstreams', () => {
  let envoy: EnvoyProcess;
  let h1: EchoServer;
  let h2c: EchoServer;
  let tls: EchoServer;
  let ws: WebSocketEchoServer;
  let grpc: GrpcEchoServer;
  let listenerPort: number;
  let ca: ReturnType<typeof makeCa>;

  beforeAll(async () => {
    ca = makeCa();
    const serverPair = makeCertificate({ commonName: 'upstream.test', ca });
    [h1, h2c, tls, ws, grpc] = await Promise.all([
      EchoServer.start({ name: 'h1' }),
      EchoServer.start({ name: 'h2c', protocol: 'h2c' }),
      EchoServer.start({ name: 'tls', tls: serverPair }),
      WebSocketEchoServer.start('ws'),
      GrpcEchoServer.start('grpc'),
    ]);
    listenerPort = await freePort();
    const route = (prefix: string, clusterName: string, extra: Record<string, unknown> = {}) => ({
      match: { prefix },
      route: { cluster: clusterName, ...extra },
    });
    envoy = await EnvoyProcess.start({
      name: 'harness',
      bootstrap: {
        static_resources: {
          listeners: [
            {
              name: 'edge',
              address: { socket_address: { address: '127.0.0.1', port_value: listenerPort } },
              filter_chains: [
                {
                  filters: [
                    {
                      name: 'envoy.filters.network.http_connection_manager',
                      typed_config: {
                        '@type':
                          'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                        stat_prefix: 'edge',
                        upgrade_configs: [{ upgrade_type: 'websocket' }],
                        route_config: {
                          name: 'edge-routes',
                          virtual_hosts: [
                            {
                              name: 'all',
                              domains: ['*'],
                              routes: [
                                route('/attache.test.Echo/', 'grpc'),
                                route('/h2/', 'h2c', { prefix_rewrite: '/' }),
                                route('/tls/', 'tls', { prefix_rewrite: '/' }),
                                route('/ws/', 'ws'),
                                route('/', 'h1'),
                              ],
                            },
                          ],
                        },
                        http_filters: [
                          {
                            name: 'envoy.filters.http.router',
                            typed_config: {
                              '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                            },
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
          clusters: [
            cluster('h1', h1.port),
            cluster('h2c', h2c.port, http2Upstream),
            cluster('grpc', grpc.port, http2Upstream),
            cluster('ws', ws.port),
            cluster('tls', tls.port, {
              transport_socket: {
                name: 'envoy.transport_sockets.tls',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
                  sni: 'upstream.test',
                  common_tls_context: {
                    validation_context: {
                      trusted_ca: { inline_string: ca.cert },
                      match_typed_subject_alt_names: [
                        { san_type: 'DNS', matcher: { exact: 'upstream.test' } },
                      ],
                    },
                  },
                },
              },
            }),
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await envoy?.stop();
    await Promise.all([h1?.close(), h2c?.close(), tls?.close(), ws?.close(), grpc?.close()]);
  });

  const failWithLogs = () => onTestFailed(() => console.error(`--- envoy log ---\n${envoy.tail(100)}`));

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`http://127.0.0.1:${listenerPort}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as EchoRequest };
  }

  it('answers HTTP/1.1, h2c and TLS upstreams through Envoy, reporting backend, path and headers', async () => {
    failWithLogs();
    const plain = await get('/hello?x=1', { 'x-test': 'one' });
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ backend: 'h1', path: '/hello?x=1', protocol: 'HTTP/1.1' });
    expect(plain.body.headers['x-test']).toBe('one');
    expect(plain.body.headers['x-forwarded-proto']).toBe('http');

    const h2 = await get('/h2/deep/path');
    expect(h2.body).toMatchObject({ backend: 'h2c', path: '/deep/path', protocol: 'HTTP/2', tls: false });

    const secure = await get('/tls/x');
    expect(secure.body).toMatchObject({ backend: 'tls', path: '/x', tls: true });
  });

  it('passes status and delay requests through to the echo upstream', async () => {
    failWithLogs();
    const response = await fetch(`http://127.0.0.1:${listenerPort}/status`, {
      headers: { 'x-echo-status': '418' },
    });
    expect(response.status).toBe(418);
    expect(response.headers.get('x-echo-backend')).toBe('h1');
  });

  it('upgrades a WebSocket through Envoy and echoes messages from the right backend', async () => {
    failWithLogs();
    const socket = new WebSocket(`ws://127.0.0.1:${listenerPort}/ws/chat`);
    const reply = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('ping'));
      socket.once('message', (data) => resolve(data.toString()));
      socket.once('error', reject);
    });
    socket.close();
    expect(reply).toBe('ws:ping');
    expect(ws.upgrades.at(-1)?.path).toBe('/ws/chat');
  });

  it('carries unary and server-streaming gRPC calls through Envoy to the gRPC upstream', async () => {
    failWithLogs();
    const client = grpcEchoClient(`127.0.0.1:${listenerPort}`);
    try {
      const reply = await client.say('hi', { 'x-team': 'edge' });
      expect(reply).toMatchObject({ backend: 'grpc', method: 'Say', message: 'hi' });
      expect(reply.metadata['x-team']).toBe('edge');
      const stream = await client.count('n', 4);
      expect(stream.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    } finally {
      client.close();
    }
  });

  it('reads /config_dump, /stats and /clusters', async () => {
    failWithLogs();
    const dump = await envoy.configDump();
    expect(dump.configs.some((c) => String(c['@type']).endsWith('ClustersConfigDump'))).toBe(true);
    const stats = await envoy.stats('cluster.h1.upstream_rq_total');
    expect(stats.get('cluster.h1.upstream_rq_total') ?? 0).toBeGreaterThan(0);
    const clusters = await envoy.clusters();
    const h1Hosts = clusters.find((c) => c.name === 'h1')?.hosts ?? [];
    expect(h1Hosts).toEqual([{ address: `127.0.0.1:${h1.port}`, healthy: true }]);
    const xds = await envoy.xdsStats();
    // A static bootstrap has no xDS: every counter stays at zero.
    expect(xds.cds.updateRejected + xds.lds.updateRejected).toBe(0);
  });
});

describe.skipIf(!envoyBinary)('testkit: EnvoyProcess start errors', () => {
  it('names the failure and shows Envoy’s output when the bootstrap is refused', async () => {
    await expect(
      EnvoyProcess.start({
        name: 'bad',
        bootstrap: { static_resources: { clusters: [{ name: 'x', type: 'NOPE' }] } },
      }),
    ).rejects.toThrow(/bad exited with 1[\s\S]*NOPE/);
  });
});
