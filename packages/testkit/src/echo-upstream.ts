import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createH2cServer,
  createSecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** What an echo upstream saw, and what it answers with (as JSON). */
export interface EchoRequest {
  /** The upstream's name: which backend answered. */
  backend: string;
  method: string;
  /** The path as received (after any rewrite by Envoy). */
  path: string;
  /** Host / :authority as received. */
  host: string;
  /** Lower-cased header names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  protocol: 'HTTP/1.1' | 'HTTP/2';
  tls: boolean;
  /** TLS only: the SNI the client sent (absent when it sent none). */
  sni?: string;
  /** TLS with `requestClientCert` only: the common name of the client's certificate, if it sent one. */
  clientCertificate?: string;
  body: string;
}

export interface EchoServerOptions {
  /** Reported in every answer (`backend`) and in the `x-echo-backend` response header. */
  name: string;
  /** `http1` (default) or `h2c` (HTTP/2 cleartext, prior knowledge, as Envoy speaks to gRPC upstreams). */
  protocol?: 'http1' | 'h2c';
  /** Serve TLS with this pair (ALPN h2 and http/1.1). */
  tls?: { cert: string; key: string };
  /** With `tls`: ask clients for a certificate (any is accepted; its common name is reported). */
  requestClientCert?: boolean;
  host?: string;
  port?: number;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/**
 * A small upstream for end-to-end tests: answers every request with the JSON
 * of what it received, so a test sees which backend answered, the path Envoy
 * sent (rewrites), the Host and the headers (added, removed). A request may ask
 * for a status (`x-echo-status: 503`) or a delay (`x-echo-delay-ms: 2000`); a
 * test may set the status of every answer (`setStatus`) to make the upstream
 * fail for outlier detection, or fail the next few (`failNext`) for retries.
 */
export class EchoServer {
  readonly requests: EchoRequest[] = [];
  private forcedStatus: number | undefined;
  private failing: { remaining: number; status: number } | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly name: string,
    readonly port: number,
    readonly host: string,
    private readonly isTls: boolean,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: EchoServerOptions): Promise<EchoServer> {
    let echo: EchoServer | undefined;
    const handler = (req: Req, res: Res) => echo?.handle(req, res);
    const server: Server = options.tls
      ? (createSecureServer(
          {
            ...options.tls,
            allowHTTP1: true,
            ...(options.requestClientCert ? { requestCert: true, rejectUnauthorized: false } : {}),
          },
          handler,
        ) as unknown as Server)
      : options.protocol === 'h2c'
        ? (createH2cServer(handler) as unknown as Server)
        : createHttpServer(handler);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    echo = new EchoServer(server, options.name, port, host, options.tls !== undefined);
    return echo;
  }

  /** `host:port`, as a Mapping's `service`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Every answer gets this status from now on (undefined: back to 200 / per-request control). */
  setStatus(status: number | undefined): void {
    this.forcedStatus = status;
  }

  /**
   * The next `count` requests are answered with `status` (default 503), the
   * ones after them as before: an upstream that fails a set number of times,
   * for retries. Wins over `setStatus` while it lasts.
   */
  failNext(count: number, status = 503): void {
    this.failing = count > 0 ? { remaining: count, status } : undefined;
  }

  /** Requests seen so far, then forgotten. */
  take(): EchoRequest[] {
    return this.requests.splice(0);
  }

  private handle(req: Req, res: Res): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (k.startsWith(':') || v === undefined) continue;
        headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      const seen: EchoRequest = {
        backend: this.name,
        method: req.method ?? '',
        path: req.url ?? '',
        host: String(req.headers[':authority'] ?? req.headers.host ?? ''),
        headers,
        protocol: req.httpVersion === '2.0' ? 'HTTP/2' : 'HTTP/1.1',
        tls: this.isTls,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (this.isTls) {
        const socket = req.socket as TLSSocket;
        if (typeof socket.servername === 'string' && socket.servername !== '') seen.sni = socket.servername;
        const peer = socket.getPeerCertificate?.();
        if (peer?.subject?.CN) seen.clientCertificate = String(peer.subject.CN);
      }
      this.requests.push(seen);
      const status = this.failure() ?? this.forcedStatus ?? Number(headers['x-echo-status'] ?? 200);
      const delay = Math.min(Number(headers['x-echo-delay-ms'] ?? 0) || 0, 30_000);
      const answer = () => {
        if (res.destroyed || res.writableEnded) return;
        const body = JSON.stringify(seen);
        res.writeHead(Number.isInteger(status) && status >= 200 && status <= 599 ? status : 200, {
          'content-type': 'application/json',
          'x-echo-backend': this.name,
        });
        res.end(body);
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  }

  private failure(): number | undefined {
    if (!this.failing) return undefined;
    const { status } = this.failing;
    this.failing.remaining -= 1;
    if (this.failing.remaining <= 0) this.failing = undefined;
    return status;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
