import { afterAll, describe, expect, it } from 'vitest';
import { TcpEchoServer, tcpExchange } from './tcp-echo.js';
import { makeCertificate } from './tls-certs.js';

describe('TcpEchoServer', () => {
  const servers: TcpEchoServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('greets with its name, then echoes', async () => {
    const server = await TcpEchoServer.start({ name: 'plain' });
    servers.push(server);
    const result = await tcpExchange(server.port, 'ping 1\n');
    expect(result).toEqual({ greeting: 'hello from plain tls=no sni=-', echoed: 'ping 1\n' });
    expect(server.connections).toBe(1);
  });

  it('over TLS, records the SNI the client sent and shows who terminated the session', async () => {
    const tls = makeCertificate({ commonName: 'db.example.com' });
    const server = await TcpEchoServer.start({ name: 'secure', tls });
    servers.push(server);
    const result = await tcpExchange(server.port, 'ping 2\n', {
      tls: { servername: 'db.example.com', ca: tls.cert },
    });
    expect(result.greeting).toBe('hello from secure tls=yes sni=db.example.com');
    expect(result.echoed).toBe('ping 2\n');
    expect(result.peerCommonName).toBe('db.example.com');
    expect(server.sniSeen).toEqual(['db.example.com']);
  });

  it('rejects when nobody listens', async () => {
    const server = await TcpEchoServer.start({ name: 'gone' });
    const port = server.port;
    await server.close();
    await expect(tcpExchange(port, 'x\n', { timeoutMs: 2000 })).rejects.toThrow();
  });
});
