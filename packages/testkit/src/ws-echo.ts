import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * A WebSocket echo upstream: every text message comes back as
 * `<name>:<message>`, so a test sees that the upgrade went through Envoy to
 * this backend. The handshake's request (path and headers) is recorded.
 */
export class WebSocketEchoServer {
  readonly upgrades: Array<{ path: string; headers: IncomingHttpHeaders }> = [];

  private constructor(
    private readonly http: ReturnType<typeof createServer>,
    private readonly wss: WebSocketServer,
    readonly name: string,
    readonly port: number,
  ) {}

  static async start(name: string): Promise<WebSocketEchoServer> {
    const http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('websocket only\n');
    });
    const wss = new WebSocketServer({ server: http });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    const server = new WebSocketEchoServer(http, wss, name, (http.address() as AddressInfo).port);
    wss.on('connection', (socket, request) => {
      server.upgrades.push({ path: request.url ?? '', headers: request.headers });
      socket.on('message', (data, isBinary) => {
        socket.send(isBinary ? data : `${name}:${data.toString()}`, { binary: isBinary });
      });
    });
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
