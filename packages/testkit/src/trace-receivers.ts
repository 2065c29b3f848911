import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { decodeMsgpack } from './msgpack.js';

/** A span as a collector got it, whatever the protocol. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  name: string;
  /** Zipkin `tags`, OTLP span attributes (values as strings). */
  tags: Record<string, string>;
  /** Zipkin localEndpoint.serviceName, OTLP resource service.name. */
  serviceName?: string;
}

/**
 * A Zipkin v2 collector (`POST /api/v2/spans`, JSON: Envoy's HTTP_JSON) on
 * 127.0.0.1. Records every span; answers 202 as Zipkin does.
 */
export class ZipkinReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Request paths and content types, to check the collector endpoint. */
  readonly posts: Array<{ path: string; contentType: string }> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<ZipkinReceiver> {
    let self: ZipkinReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        self?.posts.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? '') });
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{
            traceId?: string;
            id?: string;
            name?: string;
            tags?: Record<string, string>;
            localEndpoint?: { serviceName?: string };
          }>;
          for (const span of Array.isArray(body) ? body : []) {
            const received: ReceivedSpan = {
              traceId: span.traceId ?? '',
              spanId: span.id ?? '',
              name: span.name ?? '',
              tags: span.tags ?? {},
            };
            if (span.localEndpoint?.serviceName) received.serviceName = span.localEndpoint.serviceName;
            self?.spans.push(received);
          }
          res.writeHead(202).end();
        } catch {
          res.writeHead(400).end('not Zipkin v2 JSON');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new ZipkinReceiver(server, (server.address() as AddressInfo).port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// OTLP/protobuf, read with the wire-format reader (no OpenTelemetry protos are
// shipped with Envoy's): only the fields the tests look at, by field number
// from opentelemetry/proto/{collector/trace,trace,common,resource}/v1.

/** The length-delimited fields of one message, by field number (other fields skipped). */
function fields(bytes: Uint8Array): Array<{ no: number; bytes: Uint8Array }> {
  const out: Array<{ no: number; bytes: Uint8Array }> = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (wire === WireType.LengthDelimited) out.push({ no, bytes: reader.bytes() });
    else reader.skip(wire, no);
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** opentelemetry.proto.common.v1.AnyValue → a string (string, bool, int, double). */
function anyValue(bytes: Uint8Array): string {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1 && wire === WireType.LengthDelimited) return r.string();
    if (no === 2 && wire === WireType.Varint) return String(r.bool());
    if (no === 3 && wire === WireType.Varint) return String(r.int64());
    if (no === 4 && wire === WireType.Bit64) return String(r.double());
    r.skip(wire, no);
  }
  return '';
}

/** KeyValue {1: key, 2: AnyValue}. */
function keyValue(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const f of fields(bytes)) {
    if (f.no === 1) key = new TextDecoder().decode(f.bytes);
    if (f.no === 2) value = anyValue(f.bytes);
  }
  return [key, value];
}

/** ExportTraceServiceRequest {1: ResourceSpans {1: Resource {1: attributes}, 2: ScopeSpans {2: Span}}}. */
export function decodeOtlpTraces(bytes: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fields(bytes).filter((f) => f.no === 1)) {
    let serviceName: string | undefined;
    const scopes: Uint8Array[] = [];
    for (const f of fields(rs.bytes)) {
      if (f.no === 1) {
        for (const attr of fields(f.bytes).filter((a) => a.no === 1)) {
          const [k, v] = keyValue(attr.bytes);
          if (k === 'service.name') serviceName = v;
        }
      }
      if (f.no === 2) scopes.push(f.bytes);
    }
    for (const scope of scopes) {
      for (const s of fields(scope).filter((f) => f.no === 2)) {
        const span: ReceivedSpan = { traceId: '', spanId: '', name: '', tags: {} };
        if (serviceName !== undefined) span.serviceName = serviceName;
        for (const f of fields(s.bytes)) {
          if (f.no === 1) span.traceId = hex(f.bytes);
          else if (f.no === 2) span.spanId = hex(f.bytes);
          else if (f.no === 5) span.name = new TextDecoder().decode(f.bytes);
          else if (f.no === 9) {
            const [k, v] = keyValue(f.bytes);
            span.tags[k] = v;
          }
        }
        spans.push(span);
      }
    }
  }
  return spans;
}

/**
 * An OTLP/gRPC trace collector (`opentelemetry.proto.collector.trace.v1.TraceService/Export`)
 * on 127.0.0.1. Records every span; answers an empty ExportTraceServiceResponse.
 */
export class OtlpTraceReceiver {
  readonly spans: ReceivedSpan[] = [];

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<OtlpTraceReceiver> {
    const server = new grpc.Server();
    const raw = {
      serialize: (value: Uint8Array) => Buffer.from(value),
      deserialize: (bytes: Buffer) => new Uint8Array(bytes),
    };
    let self: OtlpTraceReceiver | undefined;
    server.addService(
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
      {
        export: (
          call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>,
          callback: grpc.sendUnaryData<Uint8Array>,
        ) => {
          self?.spans.push(...decodeOtlpTraces(call.request));
          callback(null, new Uint8Array());
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    self = new OtlpTraceReceiver(server, port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.forceShutdown();
  }
}

/**
 * A Datadog agent's trace intake (`PUT|POST /v0.4/traces`, MessagePack: a list
 * of traces, each a list of spans) on 127.0.0.1, as Envoy's Datadog tracer
 * sends it. Records every span (ids as decimal strings, `meta` as tags); other
 * agent endpoints (remote configuration, info) get 404.
 */
export class DatadogAgentReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Sampling priority per span (`metrics._sampling_priority_v1`), by span id. */
  readonly priorities = new Map<string, number>();
  readonly paths: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<DatadogAgentReceiver> {
    let self: DatadogAgentReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        self?.paths.push(`${req.method} ${req.url ?? ''}`);
        if (!(req.url ?? '').startsWith('/v0.4/traces')) {
          res.writeHead(404).end();
          return;
        }
        try {
          const traces = decodeMsgpack(new Uint8Array(Buffer.concat(chunks))) as Array<
            Array<Record<string, unknown>>
          >;
          for (const trace of traces) {
            for (const span of trace) {
              const received: ReceivedSpan = {
                traceId: String(span.trace_id ?? ''),
                spanId: String(span.span_id ?? ''),
                name: String(span.name ?? ''),
                tags: Object.fromEntries(
                  Object.entries((span.meta as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
                    k,
                    String(v),
                  ]),
                ),
              };
              if (typeof span.service === 'string') received.serviceName = span.service;
              if (typeof span.resource === 'string') received.tags['dd.resource'] = span.resource;
              const priority = (span.metrics as Record<string, unknown> | undefined)?._sampling_priority_v1;
              if (typeof priority === 'number') self?.priorities.set(received.spanId, priority);
              self?.spans.push(received);
            }
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"rate_by_service":{}}');
        } catch {
          res.writeHead(400).end('not a msgpack trace list');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new DatadogAgentReceiver(server, (server.address() as AddressInfo).port);
    return self;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
