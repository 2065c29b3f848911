import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMessage, encodeMessage } from '@attache/envoy';
import * as grpc from '@grpc/grpc-js';

/** What an authorisation server was asked: one Envoy ext_authz check. */
export interface AuthCheck {
  method: string;
  /** The original request path (gRPC), or the path the HTTP auth server got (path_prefix + path). */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The request body Envoy forwarded (up to with_request_body.max_request_bytes). */
  body: string;
  /** gRPC only: check_settings.context_extensions of the route. */
  contextExtensions: Record<string, string>;
}

/** The answer: allow (with headers for the upstream), or deny with a status, body and headers for the client. */
export type AuthDecision =
  | { allow: true; headers?: Record<string, string> }
  | { allow: false; status: number; body?: string; headers?: Record<string, string> };

export type AuthPolicy = (check: AuthCheck) => AuthDecision;

/**
 * Envoy's external authorisation gRPC service, `envoy.service.auth.v3.Authorization/Check`,
 * served by grpc-js on 127.0.0.1 with Envoy's own messages (CheckRequest/CheckResponse,
 * encoded with @attache/envoy's descriptor set). Records every check.
 */
export class GrpcAuthServer {
  readonly checks: AuthCheck[] = [];

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(policy: AuthPolicy): Promise<GrpcAuthServer> {
    const server = new grpc.Server();
    let self: GrpcAuthServer | undefined;
    const raw = {
      serialize: (value: Uint8Array) => Buffer.from(value),
      deserialize: (bytes: Buffer) => new Uint8Array(bytes),
    };
    server.addService(
      {
        check: {
          path: '/envoy.service.auth.v3.Authorization/Check',
          requestStream: false,
          responseStream: false,
          requestSerialize: raw.serialize,
          requestDeserialize: raw.deserialize,
          responseSerialize: raw.serialize,
          responseDeserialize: raw.deserialize,
        },
      },
      {
        check: (
          call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>,
          callback: grpc.sendUnaryData<Uint8Array>,
        ) => {
          const request = decodeMessage('envoy.service.auth.v3.CheckRequest', call.request) as {
            attributes?: {
              request?: {
                http?: {
                  method?: string;
                  path?: string;
                  headers?: Record<string, string>;
                  body?: string;
                  rawBody?: string;
                };
              };
              contextExtensions?: Record<string, string>;
            };
          };
          const http = request.attributes?.request?.http ?? {};
          const check: AuthCheck = {
            method: http.method ?? '',
            path: http.path ?? '',
            headers: http.headers ?? {},
            body: http.body ?? (http.rawBody ? Buffer.from(http.rawBody, 'base64').toString('utf8') : ''),
            contextExtensions: request.attributes?.contextExtensions ?? {},
          };
          self?.checks.push(check);
          const decision = policy(check);
          const headers = (h: Record<string, string> | undefined) =>
            Object.entries(h ?? {}).map(([key, value]) => ({ header: { key, value } }));
          const response = decision.allow
            ? { status: { code: 0 }, okResponse: { headers: headers(decision.headers) } }
            : {
                status: { code: 7 },
                deniedResponse: {
                  status: { code: decision.status },
                  body: decision.body ?? '',
                  headers: headers(decision.headers),
                },
              };
          callback(null, encodeMessage('envoy.service.auth.v3.CheckResponse', response));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    self = new GrpcAuthServer(server, port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The checks since the last call. */
  take(): AuthCheck[] {
    return this.checks.splice(0);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }
}

/**
 * An HTTP external authorisation server (Envoy ext_authz http_service): it
 * gets the client's request (path prefixed, allowed headers, body) and
 * answers 200 to allow (its headers may go upstream) or anything else to deny
 * (status, body and allowed headers go to the client).
 */
export class HttpAuthServer {
  readonly checks: AuthCheck[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(policy: AuthPolicy): Promise<HttpAuthServer> {
    let self: HttpAuthServer | undefined;
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
        const check: AuthCheck = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
          contextExtensions: {},
        };
        self?.checks.push(check);
        const decision = policy(check);
        if (decision.allow) {
          res.writeHead(200, decision.headers ?? {});
          res.end();
        } else {
          res.writeHead(decision.status, decision.headers ?? {});
          res.end(decision.body ?? '');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new HttpAuthServer(server, (server.address() as AddressInfo).port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  take(): AuthCheck[] {
    return this.checks.splice(0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
