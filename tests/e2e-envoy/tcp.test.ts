import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  freePorts,
  host,
  listener,
  makeCa,
  makeCertificate,
  mapping,
  type Obj,
  type PemPair,
  resourceDir,
  startEdge,
  TcpEchoServer,
  tcpExchange,
  tlsSecret,
  writeResources,
} from './edge.js';
import {
  binomialBounds,
  echoed,
  expectNoRejectedUpdates,
  httpsRequest,
  inBatches,
  waitForListeners,
} from './feature-traffic.js';

/**
 * TCPMappings on a real Envoy with raw TCP clients and real upstreams
 * (testkit's TcpEchoServer greets with its name, whether it speaks TLS and the
 * SNI it was sent, then echoes):
 * - a TCP-only port with no Listener (Attaché makes one): plain TCP echo;
 * - one HTTPS port shared by an HTTP Host and two TCPMappings, chosen by SNI:
 *   app.example.com is HTTP (the Host), db.example.com is TLS terminated by
 *   Envoy (a TLSContext lists it) and sent as plain TCP to the upstream,
 *   legacy.example.com is passed through unopened (nothing terminates it here),
 *   so the client's TLS session ends at the upstream, which sees the SNI;
 * - a TCP-only port split 30/70 between two TCPMappings, counted over many
 *   connections and checked within binomial bounds;
 * - a TCP-only port whose service is https://: Envoy originates TLS upstream.
 */
const skip = edgeSkipReason('e2e-envoy tcp');
if (skip) console.warn(skip);

const tcpMapping = (name: string, spec: Obj): Obj => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'TCPMapping',
  metadata: { name, namespace: 'default' },
  spec,
});

describe.skipIf(skip !== undefined)('e2e-envoy: TCPMappings with raw TCP and TLS', () => {
  let edge: Edge;
  let ca: PemPair;
  let legacyCert: PemPair;
  let web: EchoServer;
  const upstreams: Record<string, TcpEchoServer> = {};
  let tcpPort: number;
  let httpsPort: number;
  let splitPort: number;
  let originatePort: number;
  const resources = resourceDir();

  beforeAll(async () => {
    ca = makeCa('attache-test-tcp-ca');
    const edgeCert = makeCertificate({
      commonName: 'edge.example.com',
      dnsNames: ['app.example.com', 'db.example.com'],
      ca,
    });
    // The passthrough upstream has a certificate of its own, from no CA Envoy knows.
    legacyCert = makeCertificate({ commonName: 'legacy.example.com' });
    web = await EchoServer.start({ name: 'web' });
    upstreams.plain = await TcpEchoServer.start({ name: 'plain' });
    upstreams.db = await TcpEchoServer.start({ name: 'db' });
    upstreams.legacy = await TcpEchoServer.start({ name: 'legacy', tls: legacyCert });
    upstreams.blue = await TcpEchoServer.start({ name: 'blue' });
    upstreams.green = await TcpEchoServer.start({ name: 'green' });
    [tcpPort, httpsPort, splitPort, originatePort] = (await freePorts(4)) as [number, number, number, number];
    const at = (name: string) => `127.0.0.1:${upstreams[name]!.port}`;
    writeResources(resources.dir, 'tcp.yaml', [
      listener('https', httpsPort, 'HTTPS'),
      host('app', {
        hostname: 'app.example.com',
        tlsSecret: { name: 'edge-cert' },
        requestPolicy: { insecure: { action: 'Route' } },
      }),
      mapping('web', { hostname: 'app.example.com', prefix: '/web/', service: web.address }),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'TLSContext',
        metadata: { name: 'db-context', namespace: 'default' },
        spec: { hosts: ['db.example.com'], secret: 'edge-cert' },
      },
      tlsSecret('edge-cert', edgeCert),
      tcpMapping('plain', { port: tcpPort, service: at('plain') }),
      tcpMapping('db', { port: httpsPort, host: 'db.example.com', service: at('db') }),
      tcpMapping('legacy', { port: httpsPort, host: 'legacy.example.com', service: at('legacy') }),
      tcpMapping('blue', { port: splitPort, service: at('blue'), weight: 30 }),
      tcpMapping('green', { port: splitPort, service: at('green') }),
      tcpMapping('originate', { port: originatePort, service: `https://${at('legacy')}` }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'tcp' });
    await waitForListeners(edge.envoy, 4);
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    for (const u of Object.values(upstreams)) await u.close();
    await web?.close();
    resources.remove();
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });
  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(60), edge.attache.tail(30)));

  it('Attaché reports no error (the passthrough TCPMapping gets an info saying so)', async () => {
    showLogs();
    const diagnostics = await edge.attache.diagnostics();
    expect(diagnostics).not.toContainEqual(expect.objectContaining({ severity: 'error' }));
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'TCPMAPPING_TLS_PASSTHROUGH' }));
  });

  it('a TCP-only port without a Listener: plain TCP reaches the upstream and echoes', async () => {
    showLogs();
    const before = upstreams.plain!.connections;
    const result = await tcpExchange(tcpPort, 'PING plain\r\n');
    expect(result).toEqual({ greeting: 'hello from plain tls=no sni=-', echoed: 'PING plain\r\n' });
    expect(upstreams.plain!.connections).toBe(before + 1);
  });

  it('TLS passthrough by SNI: the client’s TLS session ends at the upstream, which sees the original SNI', async () => {
    showLogs();
    const result = await tcpExchange(httpsPort, 'secret bytes\n', {
      // Trusting only the upstream's own certificate: Envoy could not have completed this handshake.
      tls: { servername: 'legacy.example.com', ca: legacyCert.cert },
    });
    expect(result.peerCommonName).toBe('legacy.example.com');
    expect(result.greeting).toBe('hello from legacy tls=yes sni=legacy.example.com');
    expect(result.echoed).toBe('secret bytes\n');
    expect(upstreams.legacy!.sniSeen).toContain('legacy.example.com');
  });

  it('TLS termination by SNI: Envoy presents the TLSContext’s certificate and sends plain TCP upstream', async () => {
    showLogs();
    const result = await tcpExchange(httpsPort, 'SELECT 1;\n', {
      tls: { servername: 'db.example.com', ca: ca.cert },
    });
    expect(result.peerCommonName).toBe('edge.example.com');
    expect(result.greeting).toBe('hello from db tls=no sni=-');
    expect(result.echoed).toBe('SELECT 1;\n');
  });

  it('HTTP and TCP share the port: app.example.com is served by the Host’s routes', async () => {
    showLogs();
    const answer = await httpsRequest(httpsPort, '/web/hello', {
      servername: 'app.example.com',
      ca: ca.cert,
    });
    expect(answer.status).toBe(200);
    expect(answer.peerCommonName).toBe('edge.example.com');
    expect(echoed(answer).path).toBe('/hello');
  });

  it('service https://: Envoy originates TLS to the upstream for a plain TCP client', async () => {
    showLogs();
    const result = await tcpExchange(originatePort, 'over tls\n');
    expect(result.greeting).toMatch(/^hello from legacy tls=yes /);
    expect(result.echoed).toBe('over tls\n');
  });

  it('a TCPMapping added while serving opens its port; removing it closes the port', async () => {
    showLogs();
    const port = await freePort();
    const file = writeResources(resources.dir, 'late.yaml', [
      tcpMapping('late', { port, service: `127.0.0.1:${upstreams.plain!.port}` }),
    ]);
    const answer = async () => tcpExchange(port, 'late\n', { timeoutMs: 1000 }).catch(() => undefined);
    await edge.attache.waitFor(async () => (await answer())?.greeting === 'hello from plain tls=no sni=-', {
      what: `port ${port} answers after the TCPMapping is added`,
    });
    rmSync(file);
    await edge.attache.waitFor(async () => (await answer()) === undefined, {
      what: `port ${port} closed after the TCPMapping is removed`,
    });
    // The other TCP ports are untouched.
    expect((await tcpExchange(tcpPort, 'still\n')).greeting).toBe('hello from plain tls=no sni=-');
  });

  it('weights split connections 30/70 within binomial bounds', async () => {
    showLogs();
    // 5,000 connections: enough that Emissary's cumulative weights (30, 100 → 23 %) fall outside the bounds.
    const n = 5000;
    const greetings = await inBatches(n, 20, () => tcpExchange(splitPort, 'x\n').then((r) => r.greeting));
    const blue = greetings.filter((g) => g.startsWith('hello from blue')).length;
    const green = greetings.filter((g) => g.startsWith('hello from green')).length;
    expect(blue + green).toBe(n);
    const bounds = binomialBounds(n, 0.3);
    console.info(
      `tcp weights: ${blue} blue / ${green} green of ${n} (30 % bounds ${bounds.low}..${bounds.high})`,
    );
    expect(blue).toBeGreaterThanOrEqual(bounds.low);
    expect(blue).toBeLessThanOrEqual(bounds.high);
    const misread = binomialBounds(n, 30 / 130);
    expect(bounds.low).toBeGreaterThan(misread.high);
  }, 60_000);
});
