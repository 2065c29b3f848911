import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  host,
  listener,
  makeCertificate,
  mapping,
  type Obj,
  type PemPair,
  request,
  resourceDir,
  startEdge,
  tlsSecret,
  writeResources,
} from './edge.js';
import { waitForListeners } from './feature-traffic.js';

/**
 * Inputs a real Envoy 1.39.3 refused (NACK) although Attaché's strict
 * validation accepted them. Serving its output to a real Envoy found each of
 * them; Attaché now reports each on the user's field and leaves it out, so
 * Envoy never sees it. For every case, one edge is fed the bad input beside a
 * fresh good Mapping: the good Mapping answers through Envoy (so Envoy took
 * that very update), Attaché names the mistake with its code and field, and
 * Envoy's rejected-update counters do not move.
 *
 * Before the fix, these were the NACKs (Envoy's words): an added header
 * "%NOT_AN_OP%" → RDS "Not supported field in StreamInfo: NOT_AN_OP" (the
 * whole route table of the listener); an access log "%BOGUS%" → LDS, every
 * listener; a gRPC health check on an HTTP/1 cluster → CDS "cluster must
 * support HTTP/2 for gRPC healthchecking"; expected_statuses min > max → CDS
 * "Invalid http expected status range"; Hosts A.example.com and
 * a.example.com → RDS "Only unique values for domains are permitted" and LDS
 * "multiple filter chains with overlapping matching rules"; a cipher or curve
 * BoringSSL does not know → SDS "Failed to initialize cipher suites/ECDH
 * curves" (every TLS handshake reset); an ALPN protocol over 255 bytes → LDS
 * "Invalid ALPN protocol string"; a host name among an Endpoints' addresses →
 * EDS "malformed IP address" (every endpoint of the update); a CR/LF in server_name → the listener
 * lost its only filter chain and Envoy refused it ("no filter chains
 * specified").
 */
const skip = edgeSkipReason('e2e-envoy refused-by-envoy');
if (skip) console.warn(skip);

interface StreamType {
  pending: boolean;
}

interface Case {
  name: string;
  resources: (pair: PemPair, upstream: EchoServer) => Obj[];
  /** The diagnostic that names the mistake; none where Attaché drops the bad entry alone. */
  code?: string;
  path?: string;
  /** A request that must be answered by the upstream once the case is served. */
  serves?: string;
}

const module = (config: Obj): Obj => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Module',
  metadata: { name: 'ambassador', namespace: 'default' },
  spec: { config },
});

const cases: Case[] = [
  {
    name: 'an unknown format command in an added header',
    resources: () => [
      mapping('bad', {
        prefix: '/bad/',
        service: '127.0.0.1:9',
        add_request_headers: { 'x-a': '%NOT_AN_OP%' },
      }),
    ],
    code: 'HTTP_HEADER_INVALID',
    path: '/spec/add_request_headers/x-a',
  },
  {
    name: 'an unknown format command in the access log',
    resources: () => [module({ envoy_log_format: '%BOGUS_OPERATOR%' })],
    code: 'MODULE_LOG_FORMAT_INVALID',
    path: '/spec/config/envoy_log_format',
  },
  {
    name: 'a gRPC health check on an HTTP/1 upstream',
    resources: () => [
      mapping('bad', {
        prefix: '/bad/',
        service: '127.0.0.1:9',
        health_checks: [{ health_check: { grpc: { upstream_name: 'svc' } } }],
      }),
    ],
    code: 'GRPC_HEALTH_CHECK_NEEDS_GRPC', // feature-grpc's
    path: '/spec/health_checks/0/health_check/grpc',
  },
  {
    name: 'a health-check status range with min above max',
    resources: () => [
      mapping('bad', {
        prefix: '/bad/',
        service: '127.0.0.1:9',
        health_checks: [
          { health_check: { http: { path: '/h', expected_statuses: [{ min: 300, max: 200 }] } } },
        ],
      }),
    ],
    code: 'HTTP_SCHEMA_INVALID',
    path: '/spec/health_checks/0/health_check/http/expected_statuses/0',
  },
  {
    name: 'two TLS Hosts whose names differ only in case',
    resources: () => [
      host('upper', { hostname: 'Dup.example.com', tlsSecret: { name: 'cert' } }),
      host('zlower', { hostname: 'dup.example.com', tlsSecret: { name: 'cert' } }),
    ],
    code: 'HOST_HOSTNAME_DUPLICATE',
    path: '/spec/hostname',
  },
  {
    name: 'a cipher BoringSSL does not know',
    resources: () => [
      host('ciphers', {
        hostname: 'ciphers.example.com',
        tlsSecret: { name: 'cert' },
        tls: { cipher_suites: ['ECDHE-RSA-AES128-GCM-SHA256', 'BOGUS-CIPHER'] },
      }),
    ],
    code: 'HTTP_SCHEMA_INVALID',
    path: '/spec/tls/cipher_suites/1',
  },
  {
    name: 'a curve BoringSSL does not know',
    resources: () => [
      host('curves', {
        hostname: 'curves.example.com',
        tlsSecret: { name: 'cert' },
        tls: { ecdh_curves: ['P-999'] },
      }),
    ],
    code: 'HTTP_SCHEMA_INVALID',
    path: '/spec/tls/ecdh_curves/0',
  },
  {
    name: 'an ALPN protocol longer than 255 bytes',
    resources: () => [
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'TLSContext',
        metadata: { name: 'alpn', namespace: 'default' },
        spec: { secret: 'cert', alpn_protocols: `h2,${'x'.repeat(300)}` },
      },
    ],
    code: 'HTTP_SCHEMA_INVALID',
    path: '/spec/alpn_protocols',
  },
  {
    name: 'an Endpoints address that is no IP (the other endpoints keep serving)',
    resources: (_pair, upstream) => [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'pool', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'pool', namespace: 'default' },
        subsets: [
          {
            addresses: [{ ip: '127.0.0.1' }, { ip: 'pool-0.default' }],
            ports: [{ name: 'http', port: upstream.port }],
          },
        ],
      },
      mapping('pool', { prefix: '/pool/', service: 'pool:80', resolver: 'endpoint' }),
    ],
    serves: '/pool/x',
  },
  {
    name: 'a line break in server_name',
    resources: () => [module({ server_name: 'edge\nX-Injected: 1' })],
    code: 'HTTP_HEADER_INVALID',
    path: '/spec/config/server_name',
  },
];

describe.skipIf(skip !== undefined)('e2e-envoy: what a real Envoy refused is caught before it', () => {
  let edge: Edge;
  let upstream: EchoServer;
  let httpPort: number;
  let httpsPort: number;
  let pair: PemPair;
  const resources = resourceDir();

  /** The base every case adds to: two Listeners, a catch-all Host, a Secret with a real pair. */
  const base = (): Obj[] => [
    listener('http', httpPort),
    listener('https', httpsPort, 'HTTPS'),
    host('any', { hostname: '*', requestPolicy: { insecure: { action: 'Route' } } }),
    tlsSecret('cert', pair),
  ];

  beforeAll(async () => {
    upstream = await EchoServer.start({ name: 'good' });
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    pair = makeCertificate({ commonName: 'example.com', dnsNames: ['*.example.com'] });
    writeResources(resources.dir, 'case.yaml', [
      ...base(),
      mapping('good-0', { prefix: '/good-0/', service: upstream.address }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'refused' });
    await waitForListeners(edge.envoy, 2);
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.close();
    resources.remove();
  });

  it.each(cases.map((c, i) => [c.name, i + 1, c] as const))('%s', async (_name, serial, c) => {
    onTestFailed(() => console.error(edge.envoy.tail(60), edge.attache.tail(30)));
    const before = await edge.envoy.xdsStats();
    const good = `/good-${serial}/`;
    writeResources(resources.dir, 'case.yaml', [
      ...base(),
      mapping(`good-${serial}`, { prefix: good, service: upstream.address }),
      ...c.resources(pair, upstream),
    ]);
    // The good Mapping of this very update answers through Envoy: Envoy took the update.
    await edge.envoy.waitFor(
      async () => (await request(httpPort, `${good}x`, { host: 'a.example.com' })).status === 200,
      {
        what: `${good} served`,
      },
    );
    // ...and answered every type of it (an ACK, or a NACK that the counters below would show).
    await edge.attache.waitFor(
      async () => {
        const { body } = await edge.attache.api('/api/streams');
        const streams = (body as { streams: Array<{ types: StreamType[] }> }).streams;
        return streams.length > 0 && streams.every((s) => s.types.every((t) => !t.pending));
      },
      { what: 'Envoy answered every type' },
    );
    const diagnostics = await edge.attache.diagnostics();
    if (c.code) expect(diagnostics).toContainEqual(expect.objectContaining({ code: c.code, path: c.path }));
    if (c.serves) {
      const answer = await request(httpPort, c.serves, { host: 'a.example.com' });
      expect(answer.status).toBe(200);
      expect(answer.headers['x-echo-backend']).toBe('good');
    }
    expect(diagnostics.filter((d) => d.code === 'ENVOY_REJECTED')).toEqual([]);
    const after = await edge.envoy.xdsStats();
    for (const type of ['lds', 'cds', 'rds', 'eds', 'sds'] as const) {
      expect(after[type].updateRejected, `${type} updates rejected`).toBe(before[type].updateRejected);
    }
    expect(
      after.lds.updateRejected +
        after.cds.updateRejected +
        after.rds.updateRejected +
        after.sds.updateRejected,
    ).toBe(0);
  });
});
