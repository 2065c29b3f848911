import { request as httpRequest } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, connect as http2Connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Edge,
  edgeSkipReason,
  freePort,
  GrpcEchoServer,
  grpcEchoClient,
  listener,
  mapping,
  type Obj,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';
import { expectNoRejectedUpdates, waitForListeners } from './feature-traffic.js';

/**
 * gRPC through a real Envoy configured by `attache serve` with feature-grpc:
 * unary and server-streaming RPCs from a real grpc-js client, gRPC-Web from a
 * plain HTTP/1.1 client (Module enable_grpc_web), a non-OK grpc-status passed
 * through both, and a grpc-timeout shorter than the upstream's delay ending in
 * DEADLINE_EXCEEDED from Envoy (Mapping grpc_timeout). A proxyless target in
 * attache.yaml puts an API listener, a route table and twin clusters in the
 * snapshot, which Envoy's wildcard LDS and CDS must not receive.
 */
const skip = edgeSkipReason('e2e-envoy gRPC');
if (skip) console.warn(skip);

const hostname = 'grpc.example.com';

/** One gRPC message in the length-prefixed framing gRPC and gRPC-Web share. */
function frame(payload: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Frames of a gRPC-Web body: data messages, and the trailers frame (flag 0x80) as a header map. */
function unframe(body: Buffer): { messages: Buffer[]; trailers: Record<string, string> } {
  const messages: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  while (at + 5 <= body.length) {
    const flags = body.readUInt8(at);
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (flags & 0x80) {
      for (const line of payload.toString('utf8').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    } else messages.push(payload);
  }
  return { messages, trailers };
}

/** A gRPC-Web call over HTTP/1.1 (what a browser sends): POST with application/grpc-web+proto. */
function grpcWebCall(
  port: number,
  path: string,
  message: unknown,
): Promise<{ status: number; headers: Obj; body: Buffer }> {
  const body = frame(Buffer.from(JSON.stringify(message)));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          host: hostname,
          'content-type': 'application/grpc-web+proto',
          'x-grpc-web': '1',
          'content-length': String(body.length),
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Obj, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('gRPC-Web request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw HTTP/2 gRPC call that sends grpc-timeout but sets no deadline of its own. */
function rawGrpcCall(
  port: number,
  path: string,
  message: unknown,
  grpcTimeout: string,
): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      ':authority': hostname,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': grpcTimeout,
    });
    const seen: Record<string, string> = {};
    const keep = (headers: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(headers))
        if (!k.startsWith(':') || k === ':status') seen[k] = String(v);
    };
    stream.on('response', keep);
    stream.on('trailers', keep);
    stream.on('data', () => {});
    stream.on('end', () => {
      session.close();
      resolve(seen);
    });
    stream.on('error', (e) => {
      session.close();
      reject(e);
    });
    stream.end(frame(Buffer.from(JSON.stringify(message))));
  });
}

/**
 * A bare h2c gRPC server that answers after `delayMs` whatever grpc-timeout
 * says (grpc-js servers enforce the deadline themselves, which would hide
 * whether Envoy does).
 */
async function startDeadlineBlindServer(): Promise<{ server: Http2Server; port: number; calls: number[] }> {
  const calls: number[] = [];
  const server = createHttp2Server();
  server.on('stream', (stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {});
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const request = JSON.parse(body.subarray(5).toString('utf8') || '{}') as { delayMs?: number };
      calls.push(request.delayMs ?? 0);
      setTimeout(() => {
        if (stream.destroyed || stream.closed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame(Buffer.from(JSON.stringify({ done: true }))));
      }, request.delayMs ?? 0);
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return { server, port, calls };
}

describe.skipIf(skip !== undefined)('e2e-envoy: gRPC through Envoy (feature-grpc)', () => {
  let edge: Edge;
  let port: number;
  let server: GrpcEchoServer;
  let counter: GrpcEchoServer;
  let slow: Awaited<ReturnType<typeof startDeadlineBlindServer>>;
  let client: ReturnType<typeof grpcEchoClient>;
  const resources = resourceDir();

  beforeAll(async () => {
    server = await GrpcEchoServer.start('upstream');
    counter = await GrpcEchoServer.start('counter');
    slow = await startDeadlineBlindServer();
    port = await freePort();
    writeResources(resources.dir, 'grpc.yaml', [
      listener('http', port),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        metadata: { name: 'grpc', namespace: 'default' },
        spec: { hostname, requestPolicy: { insecure: { action: 'Route' } } },
      },
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config: { enable_grpc_web: true, grpc_stats: { all_methods: true } } },
      },
      mapping('echo', {
        hostname,
        prefix: '/attache.test.Echo/',
        rewrite: '/attache.test.Echo/',
        grpc: true,
        // Client deadlines rule: no route timeout, grpc-timeout honoured without a cap.
        timeout_ms: 0,
        grpc_timeout: { header_max_ms: 0 },
        service: server.address,
      }),
      // Method-level routing (grpc_match): Count goes to its own upstream, the rest of the service above.
      mapping('echo-count', {
        hostname,
        prefix: '/attache.test.Echo/',
        precedence: 10,
        grpc: true,
        grpc_match: { service: 'attache.test.Echo', method: 'Count' },
        timeout_ms: 0,
        service: counter.address,
      }),
      // One deadline-blind upstream twice: with grpc_timeout Envoy ends calls at the client's
      // grpc-timeout; without it (and with timeout_ms 0) nothing does.
      mapping('slow-bounded', {
        hostname,
        prefix: '/slow.Slow/',
        rewrite: '/slow.Slow/',
        grpc: true,
        timeout_ms: 0,
        grpc_timeout: { header_max_ms: 0 },
        service: `127.0.0.1:${slow.port}`,
      }),
      // Emissary's semantics: timeout_ms bounds the whole call, whatever the client's deadline.
      mapping('slow-route-timeout', {
        hostname,
        prefix: '/routetimeout.Slow/',
        rewrite: '/slow.Slow/',
        grpc: true,
        timeout_ms: 500,
        service: `127.0.0.1:${slow.port}`,
      }),
      mapping('slow-unbounded', {
        hostname,
        prefix: '/unbounded.Slow/',
        rewrite: '/slow.Slow/',
        grpc: true,
        timeout_ms: 0,
        service: `127.0.0.1:${slow.port}`,
      }),
    ]);
    edge = await startEdge({
      resources: resources.dir,
      name: 'grpc',
      config: {
        plugins: [
          { id: 'feature-grpc', config: { proxyless: [{ target: 'echo.grpc', host: 'default/grpc' }] } },
        ],
      },
    });
    await waitForListeners(edge.envoy, 1);
    client = grpcEchoClient(`127.0.0.1:${port}`, { authority: hostname });
    await edge.attache.waitFor(
      async () => (await client.say('ready').catch(() => undefined))?.backend === 'upstream',
      { what: 'the first RPC through Envoy' },
    );
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await edge?.stop();
    await server?.close();
    await counter?.close();
    slow?.server.close();
    resources.remove();
  });

  it('a unary RPC reaches the upstream over HTTP/2', async () => {
    const reply = await client.say('hello', { 'x-from': 'e2e' });
    expect(reply).toMatchObject({ backend: 'upstream', method: 'Say', message: 'hello' });
    expect(reply.metadata['x-from']).toBe('e2e');
  });

  it('a server-streaming RPC delivers every message, from the upstream grpc_match sends that method to', async () => {
    const replies = await client.count('tick', 20);
    expect(replies.map((r) => r.index)).toEqual([...Array(20).keys()]);
    expect(new Set(replies.map((r) => r.backend))).toEqual(new Set(['counter']));
    // The other method of the service still goes to the service-wide Mapping.
    expect((await client.say('still')).backend).toBe('upstream');
  });

  it('a non-OK grpc-status from the upstream reaches the client unchanged', async () => {
    const error = (await client.say('no', {}, { status: 7 }).catch((e: unknown) => e)) as {
      code?: number;
      details?: string;
    };
    expect(error.code).toBe(7);
    expect(error.details).toBe('status 7 as asked');
  });

  it('gRPC-Web over plain HTTP/1.1 is translated by Envoy to gRPC and back, status and trailers included', async () => {
    const ok = await grpcWebCall(port, '/attache.test.Echo/Say', { message: 'from a browser' });
    expect(ok.status).toBe(200);
    expect(String(ok.headers['content-type'])).toMatch(/^application\/grpc-web/);
    const okFrames = unframe(ok.body);
    expect(okFrames.messages.map((m) => JSON.parse(m.toString('utf8')))).toEqual([
      expect.objectContaining({ backend: 'upstream', message: 'from a browser' }),
    ]);
    expect(okFrames.trailers['grpc-status']).toBe('0');
    const denied = await grpcWebCall(port, '/attache.test.Echo/Say', { message: 'x', status: 7 });
    // A failed call is still HTTP 200; the status travels as grpc-status (in headers when there is no body).
    const status =
      (denied.headers['grpc-status'] as string | undefined) ?? unframe(denied.body).trailers['grpc-status'];
    expect(status).toBe('7');
  });

  it('a grpc-timeout shorter than the upstream delay ends with DEADLINE_EXCEEDED from Envoy (grpc_timeout)', async () => {
    const before = slow.calls.length;
    const answer = await rawGrpcCall(port, '/slow.Slow/Wait', { delayMs: 2000 }, '300m');
    expect(answer['grpc-status']).toBe('4');
    // The upstream did get the call, and never answers early: Envoy ended it.
    expect(slow.calls.slice(before)).toEqual([2000]);
    // With room to spare the same call completes.
    expect((await rawGrpcCall(port, '/slow.Slow/Wait', { delayMs: 100 }, '5S'))['grpc-status']).toBe('0');
    // Without grpc_timeout nothing ends it: the client's grpc-timeout is not Envoy's business.
    expect((await rawGrpcCall(port, '/unbounded.Slow/Wait', { delayMs: 1000 }, '300m'))['grpc-status']).toBe(
      '0',
    );
  });

  it("timeout_ms ends a gRPC call as Emissary's route timeout does, even with a longer client deadline", async () => {
    const answer = await rawGrpcCall(port, '/routetimeout.Slow/Wait', { delayMs: 2000 }, '10S');
    expect(answer[':status']).toBe('200');
    expect({ status: answer['grpc-status'], message: answer['grpc-message'] }).toEqual({
      status: '14',
      message: 'upstream request timeout',
    });
  });

  it('Envoy took every update, and none of the proxyless resources (they are sent only to clients that name them)', async () => {
    // serve (compiling in its worker thread) put the target's API listener, route table and twin clusters in the snapshot…
    const snapshot = JSON.stringify((await edge.attache.api('/api/snapshot?full=1')).body);
    expect(snapshot).toContain('"api_listener"');
    expect(snapshot).toContain('grpc-proxyless/echo.grpc');
    const proxylessNames = new Set(snapshot.match(/grpc-proxyless\/[^"]+/g));
    expect(proxylessNames.size).toBeGreaterThan(1); // the route table and at least one twin cluster
    // …and Envoy's wildcard LDS and CDS got none of them.
    const dump = JSON.stringify(await edge.envoy.configDump(true));
    expect(dump).toContain('"dynamic_active_clusters"');
    expect(dump).not.toContain('grpc-proxyless/');
    expect(dump).not.toContain('api_listener');
    await expectNoRejectedUpdates(edge.envoy);
    const diagnostics = await edge.attache.diagnostics();
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
