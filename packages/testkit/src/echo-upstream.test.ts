import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoServer } from './echo-upstream.js';
import { makeCa, makeCertificate } from './tls-certs.js';

/** The echo upstream's failure controls, directly (no Envoy in between). */
describe('EchoServer failure controls', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await EchoServer.start({ name: 'flaky' });
  });
  afterAll(async () => {
    await echo.close();
  });

  const status = async (headers: Record<string, string> = {}) =>
    (await fetch(`http://${echo.address}/x`, { headers })).status;

  it('failNext(n) fails exactly the next n requests, then answers as before', async () => {
    echo.failNext(2);
    expect([await status(), await status(), await status()]).toEqual([503, 503, 200]);
    echo.failNext(1, 500);
    expect([await status(), await status()]).toEqual([500, 200]);
  });

  it('failNext wins over setStatus and x-echo-status while it lasts; failNext(0) cancels it', async () => {
    echo.setStatus(418);
    echo.failNext(1, 502);
    expect(await status({ 'x-echo-status': '201' })).toBe(502);
    expect(await status({ 'x-echo-status': '201' })).toBe(418);
    echo.setStatus(undefined);
    expect(await status({ 'x-echo-status': '201' })).toBe(201);
    echo.failNext(3);
    echo.failNext(0);
    expect(await status()).toBe(200);
  });

  it('every failed request is still recorded', async () => {
    echo.take();
    echo.failNext(2);
    await status();
    await status();
    await status();
    expect(echo.take()).toHaveLength(3);
  });
});

describe('EchoServer over TLS', () => {
  it('reports the SNI the client sent and the common name of its certificate', async () => {
    const ca = makeCa();
    const server = makeCertificate({ commonName: 'up.internal', ca });
    const client = makeCertificate({ commonName: 'edge-client', ca });
    const echo = await EchoServer.start({ name: 'tls', tls: server, requestClientCert: true });
    try {
      const ask = (options: { servername?: string; cert?: string; key?: string }) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: echo.port,
              path: '/x',
              ca: ca.cert,
              checkServerIdentity: () => undefined,
              agent: false,
              ...options,
            },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => {
                body += c.toString();
              });
              res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await ask({ servername: 'up.internal', cert: client.cert, key: client.key })).toMatchObject({
        tls: true,
        sni: 'up.internal',
        clientCertificate: 'edge-client',
      });
      const bare = await ask({ servername: '' });
      expect(bare.sni).toBeUndefined();
      expect(bare.clientCertificate).toBeUndefined();
    } finally {
      await echo.close();
    }
  });
});
