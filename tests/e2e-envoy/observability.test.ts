import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  AccessLogReceiver,
  DatadogAgentReceiver,
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePorts,
  listener,
  mapping,
  type Obj,
  OtlpTraceReceiver,
  type ReceivedSpan,
  request,
  resourceDir,
  startEdge,
  writeResources,
  ZipkinReceiver,
} from './edge.js';
import { binomialBounds, expectNoRejectedUpdates, inBatches, waitForListeners } from './feature-traffic.js';

/**
 * LogService, TracingService and the Module's file access log on a real Envoy:
 * Attaché (`attache serve`) configures Envoy, and testkit receivers stand in
 * for the collectors — Envoy's gRPC access log service, a Zipkin v2 collector,
 * an OTLP/gRPC collector and a Datadog agent. Checked: one access-log entry per
 * request with the additional headers (and one per TCPMapping connection), the
 * JSON file log in the configured format, and spans at the sampled ratio
 * (binomial bounds over a bounded request count) carrying the custom tags
 * (literal, environment, request header), for each driver in turn.
 */
const skip = edgeSkipReason('e2e-envoy observability');
if (skip) console.warn(skip);

const hostname = 'obs.example.com';
const regionVariable = 'ATTACHE_E2E_TRACE_REGION';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `count()` stops growing for `quietMs` (collectors get spans in batches) or reaches `atLeast`. */
async function settle(
  count: () => number,
  options: { quietMs: number; timeoutMs: number; atLeast?: number },
) {
  const deadline = Date.now() + options.timeoutMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const now = count();
    if (options.atLeast !== undefined && now >= options.atLeast) return;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (now > 0 && Date.now() - since >= options.quietMs) return;
    await sleep(100);
  }
}

/** Distinct traces among spans whose URL or path has `marker` (one request = one trace). */
function tracesWith(spans: ReceivedSpan[], marker: string): Map<string, ReceivedSpan[]> {
  const out = new Map<string, ReceivedSpan[]>();
  for (const s of spans) {
    const url = s.tags['http.url'] ?? s.tags['url.full'] ?? s.tags['http.target'] ?? '';
    if (!url.includes(marker)) continue;
    const list = out.get(s.traceId) ?? [];
    list.push(s);
    out.set(s.traceId, list);
  }
  return out;
}

describe.skipIf(skip !== undefined)('e2e-envoy: LogService, TracingService and the file access log', () => {
  let edge: Edge;
  let port: number;
  let tcpPort: number;
  let api: EchoServer;
  let als: AccessLogReceiver;
  let zipkin: ZipkinReceiver;
  let otlp: OtlpTraceReceiver;
  let datadog: DatadogAgentReceiver;
  const resources = resourceDir();
  const logDir = mkdtempSync(join(tmpdir(), 'attache-e2e-log-'));
  const logPath = join(logDir, 'access.json');
  const previousRegion = process.env[regionVariable];

  const customTags = [
    { tag: 'edge.cluster', literal: { value: 'edge-eu' } },
    { tag: 'edge.region', environment: { name: regionVariable, default_value: 'nowhere' } },
    { tag: 'edge.user', request_header: { name: 'x-user', default_value: 'anonymous' } },
  ];
  const tracingService = (spec: Obj): Obj => ({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'TracingService',
    metadata: { name: 'tracing', namespace: 'default' },
    spec: { custom_tags: customTags, ...spec },
  });
  let tracingNow: Obj = {};
  const write = (tracing: Obj, logDriver: 'http' | 'tcp' = 'http') => {
    tracingNow = tracing;
    return writeResources(resources.dir, 'observability.yaml', [
      listener('http', port),
      mapping('api', { hostname, prefix: '/', service: api.address }),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'TCPMapping',
        metadata: { name: 'raw', namespace: 'default' },
        spec: { port: tcpPort, service: api.address },
      },
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: {
          config: {
            envoy_log_type: 'json',
            envoy_log_path: logPath,
            envoy_log_format: {
              method: '%REQ(:METHOD)%',
              path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
              status: '%RESPONSE_CODE%',
              tenant: '%REQ(X-TENANT)%',
            },
          },
        },
      },
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'LogService',
        metadata: { name: 'als', namespace: 'default' },
        spec: {
          service: als.address,
          driver: logDriver,
          grpc: true,
          protocol_version: 'v3',
          flush_interval_time: 1,
          driver_config:
            logDriver === 'http'
              ? {
                  additional_log_headers: [
                    { header_name: 'x-tenant', during_response: false, during_trailer: false },
                    { header_name: 'x-echo-backend', during_request: false, during_trailer: false },
                  ],
                }
              : {},
        },
      },
      tracing,
    ]);
  };

  beforeAll(async () => {
    process.env[regionVariable] = 'eu-test-1'; // Envoy inherits it: the environment custom tag reads it
    api = await EchoServer.start({ name: 'obs-api' });
    als = await AccessLogReceiver.start();
    zipkin = await ZipkinReceiver.start();
    otlp = await OtlpTraceReceiver.start();
    datadog = await DatadogAgentReceiver.start();
    [port, tcpPort] = (await freePorts(2)) as [number, number];
    write(
      tracingService({
        service: zipkin.address,
        driver: 'zipkin',
        sampling: { random: 50 },
        config: { collector_endpoint: '/api/v2/spans', collector_endpoint_version: 'HTTP_JSON' },
      }),
    );
    edge = await startEdge({ resources: resources.dir, name: 'observability' });
    await waitForListeners(edge.envoy, 2);
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([api?.close(), als?.close(), zipkin?.close(), otlp?.close(), datadog?.close()]);
    resources.remove();
    rmSync(logDir, { recursive: true, force: true });
    if (previousRegion === undefined) delete process.env[regionVariable];
    else process.env[regionVariable] = previousRegion;
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  /** The listeners Envoy serves new connections with (not those warming or draining), as JSON text. */
  const activeListeners = async () => {
    const dump = await edge.envoy.configDump();
    const listeners = dump.configs.find((c) => String(c['@type']).endsWith('ListenersConfigDump')) as
      | { dynamic_listeners?: Array<{ active_state?: unknown }> }
      | undefined;
    return JSON.stringify((listeners?.dynamic_listeners ?? []).map((l) => l.active_state ?? null));
  };
  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(60), edge.attache.tail(30)));
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(port, path, { host: hostname, headers });

  it('Attaché reports no error', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
  });

  it('the access log service gets one entry per request, with the additional headers', async () => {
    showLogs();
    const n = 20;
    for (let i = 0; i < n; i++) {
      const answer = await get(`/log/${i}`, { 'x-tenant': `tenant-${i}` });
      expect(answer.status).toBe(200);
    }
    const mine = () =>
      als.entries.filter((e) => String((e.entry.request as Obj | undefined)?.path ?? '').startsWith('/log/'));
    await settle(() => mine().length, { quietMs: 2500, timeoutMs: 15_000 });
    const entries = mine();
    expect(entries.map((e) => (e.entry.request as Obj).path).sort()).toEqual(
      Array.from({ length: n }, (_, i) => `/log/${i}`).sort(),
    );
    for (const e of entries) {
      const request = e.entry.request as { path: string; requestHeaders?: Record<string, string> };
      const response = e.entry.response as {
        responseCode?: number;
        responseHeaders?: Record<string, string>;
      };
      expect(e.kind).toBe('http');
      expect(e.logName).toBe('logservice');
      expect(request.requestHeaders?.['x-tenant']).toBe(`tenant-${request.path.slice('/log/'.length)}`);
      expect(response.responseCode).toBe(200);
      expect(response.responseHeaders?.['x-echo-backend']).toBe('obs-api');
      // during_response: false — the request-only header is not logged from the response.
      expect(response.responseHeaders?.['x-tenant']).toBeUndefined();
    }
  });

  it("a TCPMapping's tcp_proxy logs each connection to the same service (tcp_grpc)", async () => {
    showLogs();
    const before = als.entries.filter((e) => e.kind === 'tcp').length;
    // An HTTP request through the raw TCP port: the echo upstream answers it, the connection closes.
    const answer = await request(tcpPort, '/through-tcp', { host: hostname });
    expect(answer.status).toBe(200);
    const tcp = () => als.entries.filter((e) => e.kind === 'tcp').slice(before);
    await settle(() => tcp().length, { quietMs: 2500, timeoutMs: 15_000, atLeast: 1 });
    const [entry] = tcp();
    expect(entry, 'a TCP access-log entry').toBeDefined();
    expect(entry!.logName).toBe('logservice');
    const common = entry!.entry.commonProperties as { upstreamCluster?: string } | undefined;
    const connection = entry!.entry.connectionProperties as
      | { receivedBytes?: string; sentBytes?: string }
      | undefined;
    expect(common?.upstreamCluster ?? '').not.toBe('');
    expect(Number(connection?.receivedBytes ?? 0)).toBeGreaterThan(0);
    expect(Number(connection?.sentBytes ?? 0)).toBeGreaterThan(0);
  });

  it('the JSON file log has exactly the configured fields, one line per request', async () => {
    showLogs();
    await get('/file-log/check', { 'x-tenant': 'file-tenant' });
    const lines = async () =>
      readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await edge.envoy.waitFor(async () => (await lines()).some((l) => l.path === '/file-log/check'), {
      what: 'the JSON access log line of /file-log/check',
      timeoutMs: 15_000,
    });
    const all = await lines();
    const line = all.find((l) => l.path === '/file-log/check')!;
    expect(Object.keys(line).sort()).toEqual(['method', 'path', 'status', 'tenant']);
    expect(line).toEqual({ method: 'GET', path: '/file-log/check', status: 200, tenant: 'file-tenant' });
    // Every line is JSON of the same shape, and the 20 logged requests of the previous test are there.
    expect(all.every((l) => Object.keys(l).sort().join() === 'method,path,status,tenant')).toBe(true);
    expect(all.filter((l) => String(l.path).startsWith('/log/')).length).toBe(20);
  });

  it('Zipkin: spans at the sampled ratio (random 50 %) with the custom tags', async () => {
    showLogs();
    const n = 200;
    await inBatches(n, 4, (i) => get(`/zipkin-trace/${i}`, i % 2 === 0 ? { 'x-user': `user-${i}` } : {}));
    await settle(() => tracesWith(zipkin.spans, '/zipkin-trace/').size, { quietMs: 7000, timeoutMs: 30_000 });
    const traces = tracesWith(zipkin.spans, '/zipkin-trace/');
    const { low, high } = binomialBounds(n, 0.5);
    console.info(`zipkin: ${traces.size} of ${n} requests traced at random 50 % (5σ bounds ${low}–${high})`);
    expect(traces.size, `traced requests of ${n} (bounds ${low}–${high})`).toBeGreaterThanOrEqual(low);
    expect(traces.size).toBeLessThanOrEqual(high);
    expect(zipkin.posts.every((p) => p.path === '/api/v2/spans')).toBe(true);
    for (const spans of traces.values()) {
      const tagged = spans.find((s) => s.tags['edge.cluster'] !== undefined);
      expect(tagged, JSON.stringify(spans)).toBeDefined();
      expect(tagged!.tags['edge.cluster']).toBe('edge-eu');
      expect(tagged!.tags['edge.region']).toBe('eu-test-1');
      const i = Number((tagged!.tags['http.url'] ?? '').split('/zipkin-trace/')[1]);
      expect(tagged!.tags['edge.user']).toBe(i % 2 === 0 ? `user-${i}` : 'anonymous');
    }
  }, 90_000);

  it('OpenTelemetry: after switching the TracingService, OTLP/gRPC spans at the sampled ratio (random 25 %) with the custom tags', async () => {
    showLogs();
    write(
      tracingService({
        service: otlp.address,
        driver: 'opentelemetry',
        sampling: { random: 25 },
        config: { service_name: 'edge-e2e' },
      }),
    );
    await edge.envoy.waitFor(async () => (await activeListeners()).includes('OpenTelemetryConfig'), {
      what: 'Envoy has the OpenTelemetry tracer',
      timeoutMs: 20_000,
    });
    await sleep(500); // every connection of the requests below is new: the active listener takes it
    const n = 200;
    await inBatches(n, 4, (i) => get(`/otel-trace/${i}`, { 'x-user': `otel-user-${i}` }));
    await settle(() => tracesWith(otlp.spans, '/otel-trace/').size, { quietMs: 7000, timeoutMs: 30_000 });
    const traces = tracesWith(otlp.spans, '/otel-trace/');
    const { low, high } = binomialBounds(n, 0.25);
    console.info(
      `opentelemetry: ${traces.size} of ${n} requests traced at random 25 % (5σ bounds ${low}–${high})`,
    );
    expect(traces.size, `traced requests of ${n} (bounds ${low}–${high})`).toBeGreaterThanOrEqual(low);
    expect(traces.size).toBeLessThanOrEqual(high);
    for (const spans of traces.values()) {
      const tagged = spans.find((s) => s.tags['edge.cluster'] !== undefined);
      expect(tagged, JSON.stringify(spans)).toBeDefined();
      expect(tagged!.serviceName).toBe('edge-e2e');
      expect(tagged!.tags['edge.region']).toBe('eu-test-1');
      expect(tagged!.tags['edge.user']).toMatch(/^otel-user-\d+$/);
    }
    // Zipkin gets nothing new once the switch is done.
    expect(tracesWith(zipkin.spans, '/otel-trace/').size).toBe(0);
  }, 90_000);
  it('Datadog: after switching again, the agent gets every trace, those kept at the sampled ratio (random 50 %), with the service name and custom tags', async () => {
    showLogs();
    write(
      tracingService({
        service: datadog.address,
        driver: 'datadog',
        sampling: { random: 50 },
        config: { service_name: 'edge-dd' },
      }),
    );
    await edge.envoy.waitFor(async () => (await activeListeners()).includes('DatadogConfig'), {
      what: 'Envoy has the Datadog tracer',
      timeoutMs: 20_000,
    });
    await sleep(500); // every connection of the requests below is new: the active listener takes it
    const n = 200;
    await inBatches(n, 4, (i) => get(`/dd-trace/${i}`, { 'x-user': `dd-user-${i}` }));
    await settle(() => tracesWith(datadog.spans, '/dd-trace/').size, {
      quietMs: 5000,
      timeoutMs: 30_000,
      atLeast: n,
    });
    const traces = tracesWith(datadog.spans, '/dd-trace/');
    // A Datadog tracer sends every trace; Envoy's sampling decision travels as the sampling
    // priority (1: keep, -1: drop), and the agent drops the others.
    const kept = [...traces.values()].filter((spans) =>
      spans.some((s) => (datadog.priorities.get(s.spanId) ?? 0) > 0),
    );
    const { low, high } = binomialBounds(n, 0.5);
    console.info(
      `datadog: ${kept.length} of ${n} requests kept at random 50 % (5σ bounds ${low}–${high}); ${traces.size} sent`,
    );
    expect(traces.size).toBe(n);
    expect(kept.length).toBeGreaterThanOrEqual(low);
    expect(kept.length).toBeLessThanOrEqual(high);
    for (const spans of traces.values()) {
      const tagged = spans.find((s) => s.tags['edge.cluster'] !== undefined);
      expect(tagged, JSON.stringify(spans)).toBeDefined();
      expect(tagged!.serviceName).toBe('edge-dd');
      expect(tagged!.tags['edge.cluster']).toBe('edge-eu');
      expect(tagged!.tags['edge.region']).toBe('eu-test-1');
      expect(tagged!.tags['edge.user']).toMatch(/^dd-user-\d+$/);
    }
  }, 90_000);
  it('LogService driver tcp: every HTTP connection manager logs each connection as a TCP entry instead', async () => {
    showLogs();
    write(tracingNow, 'tcp');
    await edge.envoy.waitFor(async () => !(await activeListeners()).includes('HttpGrpcAccessLogConfig'), {
      what: 'no connection manager logs HTTP entries any more',
      timeoutMs: 20_000,
    });
    await sleep(500);
    const before = als.entries.length;
    const answer = await get('/tcp-driver/check');
    expect(answer.status).toBe(200);
    const mine = () =>
      als.entries.slice(before).filter((e) => {
        const local = (e.entry.commonProperties as Obj | undefined)?.downstreamLocalAddress as
          | { socketAddress?: { portValue?: number } }
          | undefined;
        return local?.socketAddress?.portValue === port;
      });
    await settle(() => mine().length, { quietMs: 2500, timeoutMs: 15_000, atLeast: 1 });
    expect(mine().map((e) => e.kind)).toEqual(['tcp']);
    expect(als.entries.slice(before).filter((e) => e.kind === 'http')).toEqual([]);
  });
});
