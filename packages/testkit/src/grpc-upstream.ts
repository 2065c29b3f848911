import * as grpc from '@grpc/grpc-js';

/** What the test gRPC service answers: which backend, which method, the message and the metadata it saw. */
export interface GrpcEchoReply {
  backend: string;
  method: string;
  message: string;
  metadata: Record<string, string>;
  /** For server streaming: the index of this reply. */
  index?: number;
}

/**
 * The test service `attache.test.Echo`, with JSON messages instead of
 * protobuf (gRPC does not care what the bytes are): `Say` is unary, `Count`
 * streams `count` replies. Envoy routes gRPC by path (`/attache.test.Echo/Say`),
 * so this exercises exactly what a protobuf service would.
 */
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as unknown,
};

export const echoServiceDefinition = {
  say: {
    path: '/attache.test.Echo/Say',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  count: {
    path: '/attache.test.Echo/Count',
    requestStream: false,
    responseStream: true,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;

function metadataRecord(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.getMap())) out[k] = String(v);
  return out;
}

/** A real gRPC server (grpc-js, h2c) on 127.0.0.1 serving `attache.test.Echo`. */
export class GrpcEchoServer {
  readonly calls: GrpcEchoReply[] = [];

  private constructor(
    private readonly server: grpc.Server,
    readonly name: string,
    readonly port: number,
  ) {}

  static async start(name: string): Promise<GrpcEchoServer> {
    const server = new grpc.Server();
    let self: GrpcEchoServer | undefined;
    server.addService(echoServiceDefinition, {
      say: (
        call: grpc.ServerUnaryCall<{ message?: string; delayMs?: number; status?: number }, GrpcEchoReply>,
        callback: grpc.sendUnaryData<GrpcEchoReply>,
      ) => {
        const reply: GrpcEchoReply = {
          backend: name,
          method: 'Say',
          message: String(call.request?.message ?? ''),
          metadata: metadataRecord(call.metadata),
        };
        self?.calls.push(reply);
        // `status`: answer with that gRPC status instead; `delayMs`: answer that much later.
        const status = Number(call.request?.status ?? 0);
        const answer = () =>
          status > 0
            ? callback(
                { code: status, details: `status ${status} as asked`, name: 'Error', message: '' },
                null,
              )
            : callback(null, reply);
        const delay = Math.min(Number(call.request?.delayMs ?? 0), 60_000);
        if (delay > 0) setTimeout(answer, delay);
        else answer();
      },
      count: (call: grpc.ServerWritableStream<{ message?: string; count?: number }, GrpcEchoReply>) => {
        const count = Math.min(Number(call.request?.count ?? 3), 1000);
        for (let index = 0; index < count; index++) {
          const reply: GrpcEchoReply = {
            backend: name,
            method: 'Count',
            message: String(call.request?.message ?? ''),
            metadata: metadataRecord(call.metadata),
            index,
          };
          self?.calls.push(reply);
          call.write(reply);
        }
        call.end();
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    self = new GrpcEchoServer(server, name, port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }
}

/** A client of `attache.test.Echo` at `address` (e.g. Envoy's listener), with an optional authority. */
export function grpcEchoClient(address: string, options: { authority?: string } = {}) {
  const Client = grpc.makeGenericClientConstructor(echoServiceDefinition, 'Echo');
  const client = new Client(address, grpc.credentials.createInsecure(), {
    ...(options.authority ? { 'grpc.default_authority': options.authority } : {}),
  }) as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  return {
    say(
      message: string,
      metadata: Record<string, string> = {},
      options: { delayMs?: number; status?: number; deadlineMs?: number } = {},
    ): Promise<GrpcEchoReply> {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(metadata)) md.set(k, v);
      const { deadlineMs, ...asked } = options;
      const callOptions: grpc.CallOptions =
        deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      return new Promise((resolve, reject) => {
        (
          client.say as (
            req: unknown,
            md: grpc.Metadata,
            options: grpc.CallOptions,
            cb: (e: Error | null, r: GrpcEchoReply) => void,
          ) => void
        )({ message, ...asked }, md, callOptions, (e, r) => (e ? reject(e) : resolve(r)));
      });
    },
    count(message: string, count: number): Promise<GrpcEchoReply[]> {
      const stream = (client.count as (req: unknown) => grpc.ClientReadableStream<GrpcEchoReply>)({
        message,
        count,
      });
      const replies: GrpcEchoReply[] = [];
      return new Promise((resolve, reject) => {
        stream.on('data', (r: GrpcEchoReply) => replies.push(r));
        stream.on('error', reject);
        stream.on('end', () => resolve(replies));
      });
    },
    close: () => client.close(),
  };
}
