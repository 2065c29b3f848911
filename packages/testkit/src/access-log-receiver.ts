import { decodeMessage } from '@attache/envoy';
import * as grpc from '@grpc/grpc-js';

/** One entry as Envoy sent it (proto3-JSON of HTTPAccessLogEntry or TCPAccessLogEntry). */
export interface ReceivedAccessLog {
  kind: 'http' | 'tcp';
  /** The log_name of the stream's identifier (Emissary: "logservice"). */
  logName: string;
  entry: Record<string, unknown>;
}

/**
 * Envoy's gRPC access log service, `envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs`
 * (client streaming), served by grpc-js on 127.0.0.1 with Envoy's own messages
 * (decoded with @attache/envoy's descriptor set). Records every entry.
 */
export class AccessLogReceiver {
  readonly entries: ReceivedAccessLog[] = [];

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<AccessLogReceiver> {
    const server = new grpc.Server();
    const raw = {
      serialize: (value: Uint8Array) => Buffer.from(value),
      deserialize: (bytes: Buffer) => new Uint8Array(bytes),
    };
    let self: AccessLogReceiver | undefined;
    server.addService(
      {
        streamAccessLogs: {
          path: '/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs',
          requestStream: true,
          responseStream: false,
          requestSerialize: raw.serialize,
          requestDeserialize: raw.deserialize,
          responseSerialize: raw.serialize,
          responseDeserialize: raw.deserialize,
        },
      },
      {
        streamAccessLogs: (
          call: grpc.ServerReadableStream<Uint8Array, Uint8Array>,
          callback: grpc.sendUnaryData<Uint8Array>,
        ) => {
          // Only the first message of a stream carries the identifier.
          let logName = '';
          call.on('data', (bytes: Uint8Array) => {
            const message = decodeMessage('envoy.service.accesslog.v3.StreamAccessLogsMessage', bytes) as {
              identifier?: { logName?: string };
              httpLogs?: { logEntry?: Record<string, unknown>[] };
              tcpLogs?: { logEntry?: Record<string, unknown>[] };
            };
            logName = message.identifier?.logName ?? logName;
            for (const entry of message.httpLogs?.logEntry ?? [])
              self?.entries.push({ kind: 'http', logName, entry });
            for (const entry of message.tcpLogs?.logEntry ?? [])
              self?.entries.push({ kind: 'tcp', logName, entry });
          });
          call.on('end', () => callback(null, new Uint8Array()));
          call.on('error', () => undefined);
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    self = new AccessLogReceiver(server, port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The entries since the last call. */
  take(): ReceivedAccessLog[] {
    return this.entries.splice(0);
  }

  async close(): Promise<void> {
    this.server.forceShutdown();
  }
}
