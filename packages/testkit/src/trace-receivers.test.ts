import { encodeMessage } from '@attache/envoy';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AccessLogReceiver } from './access-log-receiver.js';
import { decodeOtlpTraces, OtlpTraceReceiver, ZipkinReceiver } from './trace-receivers.js';

/** An OTLP ExportTraceServiceRequest with one span, encoded by field number. */
function otlpRequest(): Uint8Array {
  const kv = (key: string, value: string) =>
    new BinaryWriter()
      .tag(1, 2)
      .string(key)
      .tag(2, 2)
      .bytes(new BinaryWriter().tag(1, 2).string(value).finish())
      .finish();
  const span = new BinaryWriter()
    .tag(1, 2)
    .bytes(Uint8Array.from({ length: 16 }, (_, i) => i))
    .tag(2, 2)
    .bytes(Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9]))
    .tag(5, 2)
    .string('ingress')
    .tag(9, 2)
    .bytes(kv('cluster', 'edge-eu'))
    .finish();
  const scope = new BinaryWriter().tag(2, 2).bytes(span).finish();
  const resource = new BinaryWriter().tag(1, 2).bytes(kv('service.name', 'edge')).finish();
  const rs = new BinaryWriter().tag(1, 2).bytes(resource).tag(2, 2).bytes(scope).finish();
  return new BinaryWriter().tag(1, 2).bytes(rs).finish();
}

const raw = { serialize: (v: Uint8Array) => Buffer.from(v), deserialize: (b: Buffer) => new Uint8Array(b) };

describe('trace and access-log receivers', () => {
  it('decodes OTLP spans: ids, name, attributes, the resource service.name', () => {
    expect(decodeOtlpTraces(otlpRequest())).toEqual([
      {
        traceId: '000102030405060708090a0b0c0d0e0f',
        spanId: '0909090909090909',
        name: 'ingress',
        tags: { cluster: 'edge-eu' },
        serviceName: 'edge',
      },
    ]);
  });

  it('the OTLP receiver records what a gRPC client exports', async () => {
    const receiver = await OtlpTraceReceiver.start();
    const Client = grpc.makeGenericClientConstructor(
      {
        export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: raw.serialize,
          requestDeserialize: raw.deserialize,
          responseSerialize: raw.serialize,
          responseDeserialize: raw.deserialize,
        },
      },
      'TraceService',
    );
    const client = new Client(receiver.address, grpc.credentials.createInsecure()) as unknown as {
      export(req: Uint8Array, cb: (e: Error | null) => void): void;
      close(): void;
    };
    await new Promise<void>((resolve, reject) =>
      client.export(otlpRequest(), (e) => (e ? reject(e) : resolve())),
    );
    client.close();
    await receiver.close();
    expect(receiver.spans.map((s) => s.name)).toEqual(['ingress']);
  });

  it('the Zipkin receiver records v2 JSON spans and refuses anything else', async () => {
    const receiver = await ZipkinReceiver.start();
    const post = (body: string) =>
      fetch(`http://${receiver.address}/api/v2/spans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect(
      (
        await post(
          JSON.stringify([
            { traceId: 'ab', id: 'cd', name: 'x', tags: { a: 'b' }, localEndpoint: { serviceName: 's' } },
          ]),
        )
      ).status,
    ).toBe(202);
    expect((await post('not json')).status).toBe(400);
    await receiver.close();
    expect(receiver.spans).toEqual([
      { traceId: 'ab', spanId: 'cd', name: 'x', tags: { a: 'b' }, serviceName: 's' },
    ]);
    expect(receiver.posts.map((p) => p.path)).toEqual(['/api/v2/spans', '/api/v2/spans']);
  });

  it('the access-log receiver decodes a stream of Envoy messages, the log name from the first', async () => {
    const receiver = await AccessLogReceiver.start();
    const Client = grpc.makeGenericClientConstructor(
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
      'AccessLogService',
    );
    const client = new Client(receiver.address, grpc.credentials.createInsecure()) as unknown as {
      streamAccessLogs(cb: (e: Error | null) => void): grpc.ClientWritableStream<Uint8Array>;
      close(): void;
    };
    const done = new Promise<void>((resolve, reject) => {
      const stream = client.streamAccessLogs((e) => (e ? reject(e) : resolve()));
      stream.write(
        encodeMessage('envoy.service.accesslog.v3.StreamAccessLogsMessage', {
          identifier: { logName: 'logservice', node: { id: 'n' } },
          httpLogs: { logEntry: [{ request: { path: '/one', requestHeaders: { 'x-tenant': 'a' } } }] },
        }),
      );
      stream.write(
        encodeMessage('envoy.service.accesslog.v3.StreamAccessLogsMessage', {
          httpLogs: { logEntry: [{ request: { path: '/two' } }] },
        }),
      );
      stream.end();
    });
    await done;
    client.close();
    await receiver.close();
    expect(
      receiver.entries.map((e) => [e.kind, e.logName, (e.entry.request as { path: string }).path]),
    ).toEqual([
      ['http', 'logservice', '/one'],
      ['http', 'logservice', '/two'],
    ]);
  });
});
