import type { Logger, Snapshot } from '@attache/core';
import { formatExplanation } from '@attache/explain';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { AdminState } from './admin-state.js';
import { asClientStreams } from './client-stream.js';
import { createControlPlaneMetrics } from './control-plane-metrics.js';
import type { CycleRecord } from './cycle-record.js';
import { type DiagnosticsFilter, filterDiagnostics } from './diagnostics-filter.js';
import { renderDiagnosticsPage } from './diagnostics-page.js';
import { type ExplainQuery, explainRequestOf } from './explain-query.js';
import { type ListenAddress, parseListenAddress } from './listen-address.js';
import { explainOnSnapshot } from './live-explain.js';
import { canonicalExposition, createProcessMetricsRegistry, exposedRegistry } from './metrics.js';
import { ReconfigureLog } from './reconfigure-log.js';
import { summarizeSnapshot } from './snapshot-summary.js';
import type { ExplainResult } from './ui-explain.js';
import { renderLayout } from './ui-layout.js';
import type { ProblemsFilter } from './ui-problems.js';
import { type ResourceQuery, renderResource } from './ui-resource.js';
import { uiScript } from './ui-script.js';
import { WatchLag } from './watch-lag.js';

export interface AdminServerOptions {
  /** 'HOST:PORT' or { host, port }; default 127.0.0.1:8877. Port 0 picks a free port (tests). */
  address?: string | ListenAddress;
  state: AdminState;
  logger?: Logger;
}

export interface AdminServer {
  /** The fastify instance, for `inject()` in tests and for plugins that add routes before listen(). */
  readonly app: FastifyInstance;
  /** A source wrote into the store (watch-lag metric); `at` defaults to now. */
  sourceWrote(source: string, at?: number): void;
  /** A compile cycle finished: metrics, and the reconfigure history the UI shows. */
  cycleFinished(cycle: CycleRecord, finishedAt?: number): void;
  /** The control plane's own metrics registry (also merged into /metrics). */
  readonly controlPlaneMetrics: Registry;
  /** Starts listening; resolves to the bound address (the real port when 0 was asked). */
  listen(): Promise<ListenAddress & { url: string }>;
  close(): Promise<void>;
}

const diagnosticsQuery = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
    code: { type: 'string' },
    severity: { type: 'string', enum: ['error', 'warning', 'info'] },
  },
  additionalProperties: false,
} as const;

const pageQuery = {
  type: 'object',
  properties: { q: { type: 'string' }, severity: { type: 'string', enum: ['', 'error', 'warning', 'info'] } },
  additionalProperties: false,
} as const;

const explainQuery = {
  type: 'object',
  properties: {
    method: { type: 'string', maxLength: 16 },
    url: { type: 'string', maxLength: 8192 },
    headers: { type: 'string', maxLength: 65536 },
    listener: { type: 'string', maxLength: 8 },
    sni: { type: 'string', maxLength: 512 },
    proxyProtocol: { type: 'string', maxLength: 8 },
    group: { type: 'string', maxLength: 256 },
  },
  additionalProperties: false,
} as const;

const resourceQuery = {
  type: 'object',
  properties: { kind: { type: 'string' }, namespace: { type: 'string' }, name: { type: 'string' } },
  required: ['kind', 'name'],
  additionalProperties: false,
} as const;

/** Pages may load /ui.js and post forms to this server; nothing else, nothing inline but styles. */
const htmlSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const snapshotQuery = {
  type: 'object',
  properties: {
    full: { type: 'string', enum: ['0', '1', 'true', 'false'] },
    group: { type: 'string', minLength: 1 },
  },
  additionalProperties: false,
} as const;

/**
 * The admin HTTP server: health, readiness, metrics, the diagnostics JSON API
 * and page. Creating it binds nothing; listen() does. Every handler reads the
 * state afresh, so the runtime never has to push anything here.
 */
export function createAdminServer(options: AdminServerOptions): AdminServer {
  const address =
    typeof options.address === 'object' ? { ...options.address } : parseListenAddress(options.address);
  const { state, logger } = options;
  const processMetrics = createProcessMetricsRegistry();
  const controlPlane = createControlPlaneMetrics(state);
  const watchLag = new WatchLag();
  const reconfigures = new ReconfigureLog();
  const app = Fastify({ logger: false });
  const groups = () => state.groups?.() ?? ['default'];
  const snapshots = () =>
    groups().flatMap((g) => {
      const s = state.snapshot(g);
      return s ? [s] : [];
    });
  const sendPage = (reply: FastifyReply, page: string, status = 200) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', htmlSecurityPolicy)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(page);
  const homePage = (filter: ProblemsFilter, explain?: { query: ExplainQuery; result?: ExplainResult }) =>
    renderDiagnosticsPage({
      snapshot: state.snapshot(),
      snapshots: snapshots(),
      diagnostics: state.diagnostics(),
      streams: asClientStreams(state.streams?.() ?? []),
      reconfigures: reconfigures.entries(),
      filter,
      ...(explain ? { explain } : {}),
    });
  /** Explain on the group's live snapshot; undefined result when nothing is compiled yet. */
  const explain = (query: ExplainQuery): { status: number; result: ExplainResult } => {
    const parsed = explainRequestOf(query);
    if ('error' in parsed) return { status: 400, result: { error: parsed.error } };
    const group = query.group || undefined;
    const snapshot: Snapshot | undefined = group === undefined ? state.snapshot() : state.snapshot(group);
    if (!snapshot) {
      return {
        status: 404,
        result: { error: group ? `no snapshot for group '${group}'` : 'no snapshot compiled yet' },
      };
    }
    try {
      const explanation = explainOnSnapshot(snapshot, parsed.request);
      return {
        status: 200,
        result: {
          text: formatExplanation(explanation),
          routed: explanation.outcomes.some((o) => o.action.kind !== 'no_route'),
        },
      };
    } catch (e) {
      // explain rejects malformed requests (a bad URL) by throwing: that is the user's input, not a server fault.
      return { status: 400, result: { error: (e as Error).message } };
    }
  };

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) logger?.error({ err: error, url: request.url }, 'admin request failed');
    void reply.status(status).send({ error: error.message });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const snapshot = state.snapshot();
    if (!snapshot) return reply.status(503).send({ ready: false, reason: 'no snapshot compiled yet' });
    return { ready: true, serial: snapshot.serial, version: snapshot.version };
  });

  app.get('/metrics', async (_request, reply) => {
    const application =
      state.metrics === undefined
        ? []
        : Array.isArray(state.metrics)
          ? state.metrics
          : [state.metrics as Registry];
    const registry = exposedRegistry(processMetrics, [controlPlane.registry, ...application]);
    const body = canonicalExposition(await registry.metrics());
    return reply.type(registry.contentType).send(body);
  });

  app.get<{ Querystring: DiagnosticsFilter }>(
    '/api/diagnostics',
    { schema: { querystring: diagnosticsQuery } },
    async (request) => {
      const diagnostics = filterDiagnostics(state.diagnostics(), request.query);
      return { count: diagnostics.length, diagnostics };
    },
  );

  app.get<{ Querystring: { full?: string; group?: string } }>(
    '/api/snapshot',
    { schema: { querystring: snapshotQuery } },
    async (request, reply) => {
      const { group } = request.query;
      const snapshot = group === undefined ? state.snapshot() : state.snapshot(group);
      if (!snapshot) {
        return reply.status(404).send({
          error: group === undefined ? 'no snapshot compiled yet' : `no snapshot for group '${group}'`,
        });
      }
      const full = request.query.full === '1' || request.query.full === 'true';
      return summarizeSnapshot(snapshot, { full });
    },
  );

  app.get('/api/streams', async () => {
    const streams = state.streams?.() ?? [];
    return { count: streams.length, streams };
  });

  app.get('/api/reconfigures', async () => {
    const entries = reconfigures.entries();
    return { count: entries.length, reconfigures: entries };
  });

  app.get<{ Querystring: ExplainQuery }>(
    '/api/explain',
    { schema: { querystring: explainQuery } },
    async (request, reply) => {
      const { status, result } = explain(request.query);
      return reply.status(status).send(result);
    },
  );

  app.get('/ui.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(uiScript),
  );

  app.get<{ Querystring: ProblemsFilter }>(
    '/',
    { schema: { querystring: pageQuery } },
    async (request, reply) => sendPage(reply, homePage(request.query)),
  );

  app.get<{ Querystring: ExplainQuery }>(
    '/explain',
    { schema: { querystring: explainQuery } },
    async (request, reply) => {
      const ran = request.query.url === undefined ? undefined : explain(request.query);
      return sendPage(
        reply,
        homePage({}, { query: request.query, ...(ran ? { result: ran.result } : {}) }),
        ran && ran.status !== 404 ? ran.status : 200,
      );
    },
  );

  app.get<{ Querystring: ResourceQuery }>(
    '/resource',
    { schema: { querystring: resourceQuery } },
    async (request, reply) =>
      sendPage(
        reply,
        renderLayout(
          `${request.query.kind} ${request.query.name}`,
          renderResource(request.query, state.inputs?.() ?? [], state.diagnostics(), snapshots()),
        ),
      ),
  );

  return {
    app,
    controlPlaneMetrics: controlPlane.registry,
    sourceWrote(source, at = Date.now()) {
      watchLag.wrote(source, at);
    },
    cycleFinished(cycle, finishedAt = Date.now()) {
      controlPlane.cycleFinished(cycle, watchLag.cycleFinished(cycle.startedAt, finishedAt));
      reconfigures.record(cycle, finishedAt);
    },
    async listen() {
      await app.listen({ host: address.host, port: address.port });
      const bound = app.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : address.port;
      const hostForUrl = address.host.includes(':') ? `[${address.host}]` : address.host;
      logger?.info({ host: address.host, port }, 'admin server listening');
      return { host: address.host, port, url: `http://${hostForUrl}:${port}` };
    },
    async close() {
      await app.close();
    },
  };
}
