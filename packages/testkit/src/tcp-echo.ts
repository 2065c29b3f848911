import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { PemPair } from './tls-certs.js';

export interface TcpEchoServerOptions {
  /** Named in the greeting, so a client can tell which upstream it reached. */
  name: string;
  /** Terminate TLS with this certificate (a TLS upstream, e.g. behind SNI passthrough). */
  tls?: PemPair;
  host?: string;
}

/**
 * A raw TCP (or TLS) echo upstream: on each connection it first writes one
 * line, `hello from <name> tls=<yes|no> sni=<SNI the client sent, or ->`,
 * then echoes every byte back. It records the SNI names its TLS clients sent,
 * which is how a test proves a TLS session went through unopened.
 */
export class TcpEchoServer {
  readonly sniSeen: string[] = [];
  connections = 0;
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly name: string,
    readonly port: number,
  ) {}

  static async start(options: TcpEchoServerOptions): Promise<TcpEchoServer> {
    let self: TcpEchoServer | undefined;
    const onSocket = (socket: Socket | TLSSocket, sni: string | undefined) => {
      if (!self) return;
      self.connections += 1;
      const sockets = self.#sockets;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.write(`hello from ${options.name} tls=${options.tls ? 'yes' : 'no'} sni=${sni ?? '-'}\n`);
      socket.pipe(socket);
    };
    const server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, (socket) => {
          const sni = (socket as TLSSocket & { servername?: string | false }).servername || undefined;
          if (sni) self?.sniSeen.push(sni);
          onSocket(socket, sni);
        })
      : createNetServer((socket) => onSocket(socket, undefined));
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('tcp echo server has no port');
    self = new TcpEchoServer(server, options.name, address.port);
    return self;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface TcpExchangeOptions {
  host?: string;
  /** Speak TLS to the port: the SNI to send and the CA to trust (rejectUnauthorized). */
  tls?: { servername: string; ca?: string };
  timeoutMs?: number;
}

export interface TcpExchange {
  /** The upstream's greeting line (`hello from …`). */
  greeting: string;
  /** What came back after the greeting: the payload, echoed. */
  echoed: string;
  /** For TLS: the subject CN of the certificate the client saw (who terminated its TLS session). */
  peerCommonName?: string;
}

/**
 * Opens one connection, reads the greeting line, sends `payload`, reads it
 * back and closes. Rejects when the connection is refused, reset or closed
 * early, or nothing arrives in time.
 */
export function tcpExchange(
  port: number,
  payload: string,
  options: TcpExchangeOptions = {},
): Promise<TcpExchange> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    let socket: Socket | TLSSocket;
    let data = '';
    let sent = false;
    let peerCommonName: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no answer on ${host}:${port} within ${options.timeoutMs ?? 5000} ms (got ${JSON.stringify(data)})`,
        ),
      );
    }, options.timeoutMs ?? 5000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
    };
    const onData = (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const newline = data.indexOf('\n');
      if (newline < 0) return;
      if (!sent) {
        sent = true;
        socket.write(payload);
      }
      const echoed = data.slice(newline + 1);
      if (echoed.length >= payload.length) {
        finish();
        const result: TcpExchange = { greeting: data.slice(0, newline), echoed };
        if (peerCommonName !== undefined) result.peerCommonName = peerCommonName;
        resolve(result);
      }
    };
    if (options.tls) {
      const tls = tlsConnect({
        host,
        port,
        servername: options.tls.servername,
        ...(options.tls.ca ? { ca: options.tls.ca } : { rejectUnauthorized: false }),
      });
      tls.once('secureConnect', () => {
        const cn = tls.getPeerCertificate()?.subject?.CN;
        peerCommonName = Array.isArray(cn) ? cn[0] : cn;
      });
      socket = tls;
    } else {
      socket = netConnect({ host, port });
    }
    socket.on('data', onData);
    socket.once('error', (error) => finish(error));
    socket.once('close', () =>
      finish(new Error(`connection to ${host}:${port} closed early (got ${JSON.stringify(data)})`)),
    );
  });
}
