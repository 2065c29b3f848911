import type { Logger } from '@attache/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AdminState } from './admin-state.js';
import { type DiagnosticsFilter, filterDiagnostics } from './diagnostics-filter.js';
import { renderDiagnosticsPage } from './diagnostics-page.js';
import { type ListenAddress, parseListenAddress } from './listen-address.js';
import { createProcessMetricsRegistry, exposedRegistry } from './metrics.js';
import { summarizeSnapshot } from './snapshot-summary.js';

export interface AdminServerOptions {
  /** 'HOST:PORT' or { host, port }; default 127.0.0.1:8877. Port 0 picks a free port (tests). */
  address?: string | ListenAddress;
  state: AdminState;
  logger?: Logger;
}

export interface AdminServer {
  /** The fastify instance, for `inject()` in tests and for plugins that add routes before listen(). */
  readonly app: FastifyInstance;
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
  const app = Fastify({ logger: false });

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
    const registry = exposedRegistry(processMetrics, state.metrics);
    const body = await registry.metrics();
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

  app.get('/', async (_request, reply) => {
    const page = renderDiagnosticsPage({ snapshot: state.snapshot(), diagnostics: state.diagnostics() });
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .send(page);
  });

  return {
    app,
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
