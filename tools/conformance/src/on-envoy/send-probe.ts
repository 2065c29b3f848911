import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** One HTTP/1.1 request on a connection of its own, as a probe describes it. */
export interface WireRequest {
  /** Port on 127.0.0.1. */
  port: number;
  method: string;
  /** Path and query as sent. */
  path: string;
  /** Header lines as sent, `host` included. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** TLS, with this SNI (undefined: TLS without SNI). */
  tls?: { servername?: string };
  /** Send a PROXY protocol v1 header first. */
  proxyProtocol?: boolean;
  timeoutMs?: number;
}

export type WireAnswer =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'connection-failed'; error: string };

/**
 * Sends a request over a fresh connection (TCP, then optionally a PROXY
 * header, then optionally TLS with the given SNI, certificates not checked:
 * the cases' certificates are stand-ins) and reads the whole answer. Never
 * rejects: a refused, reset or failed connection is an answer too.
 */
export function sendProbe(req: WireRequest): Promise<WireAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const sockets: Socket[] = [];
    const finish = (answer: WireAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      resolve(answer);
    };
    const failed = (e: Error) => finish({ kind: 'connection-failed', error: e.message });
    const timer = setTimeout(
      () => finish({ kind: 'connection-failed', error: `no answer in ${req.timeoutMs ?? 10_000} ms` }),
      req.timeoutMs ?? 10_000,
    );
    const tcp = netConnect({ host: '127.0.0.1', port: req.port });
    sockets.push(tcp);
    tcp.once('error', failed);
    tcp.once('connect', () => {
      if (req.proxyProtocol) {
        tcp.write(`PROXY TCP4 127.0.0.1 127.0.0.1 ${tcp.localPort ?? 0} ${req.port}\r\n`);
      }
      let socket: Socket = tcp;
      if (req.tls) {
        const secure = tlsConnect({
          socket: tcp,
          ...(req.tls.servername !== undefined ? { servername: req.tls.servername } : {}),
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        });
        sockets.push(secure);
        secure.once('error', failed);
        socket = secure;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of req.headers) headers[name] = value;
      const outgoing = httpRequest(
        {
          method: req.method,
          path: req.path,
          headers,
          setHost: false,
          createConnection: () => socket,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('error', failed);
          res.once('end', () =>
            finish({
              kind: 'response',
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      outgoing.once('error', failed);
      outgoing.end();
    });
  });
}
