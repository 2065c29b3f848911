import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { definePlugin, type Sink, type SinkContext } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import { adsMetricsRegistry } from './metrics.js';
import type { StreamInfo } from './stream-info.js';
import { createXdsServer, type Pem, type XdsServer } from './xds-server.js';

export const sinkAdsConfigSchema = Type.Object(
  {
    address: Type.String({ default: '127.0.0.1:18000', description: 'host:port of the xDS gRPC server' }),
    tls: Type.Optional(
      Type.Object(
        {
          cert: Type.String({
            description: 'server certificate: PEM file path (relative to the config) or PEM text',
          }),
          key: Type.String({ description: 'server private key: PEM file path or PEM text' }),
          clientCa: Type.Optional(
            Type.String({ description: 'CA that signs client certificates; enables mTLS' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    maxMessageBytes: Type.Optional(
      Type.Integer({ minimum: 4 * 1024 * 1024, description: 'gRPC message size limit' }),
    ),
    groups: Type.Optional(
      Type.Array(
        Type.Object(
          {
            group: Type.String(),
            nodeId: Type.Optional(Type.String()),
            nodeCluster: Type.Optional(Type.String()),
            ambassadorId: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        {
          description:
            'node → group rules, first match wins; default: ambassador_id metadata, else "default"',
        },
      ),
    ),
    drainMs: Type.Optional(Type.Integer({ minimum: 0, description: 'graceful shutdown budget' })),
    keepalive: Type.Optional(
      Type.Object(
        {
          timeMs: Type.Optional(
            Type.Integer({ minimum: 1000, description: 'HTTP/2 ping interval towards clients' }),
          ),
          timeoutMs: Type.Optional(
            Type.Integer({
              minimum: 100,
              description: 'ping answer deadline before the connection is dropped',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    sendBudgetBytes: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'soft cap on response bytes being flushed at once across streams',
      }),
    ),
    vhds: Type.Optional(
      Type.Union(
        [
          Type.Boolean(),
          Type.Object(
            {
              onDemand: Type.Optional(
                Type.Boolean({
                  description:
                    "Envoy's on-demand filter: a request for an authority without a virtual host waits for the " +
                    'control plane to send it (every virtual host then ends with a catch-all 404 route)',
                }),
              ),
              lazy: Type.Optional(
                Type.Boolean({
                  description:
                    'with onDemand: a route table whose virtual hosts all have exact domains is not sent up ' +
                    'front; Envoy asks for each virtual host when it first sees its authority',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ],
        {
          default: false,
          description:
            'serve route tables to delta ADS clients as VHDS: each virtual host a VirtualHost resource of its own ' +
            '(a one-Mapping change sends one virtual host); SotW clients get whole tables',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export type SinkAdsConfig = Static<typeof sinkAdsConfigSchema>;

/** PEM given inline, or a path resolved against the config file's directory. */
function readPem(value: string, baseDir: string): Pem {
  if (value.includes('-----BEGIN')) return value;
  return readFileSync(isAbsolute(value) ? value : resolve(baseDir, value));
}

/** A sink that serves its snapshots over xDS, with what the admin UI shows: its streams and its metrics. */
export interface AdsSink extends Sink {
  readonly server: XdsServer;
  /** Connected streams (node, group, per-type subscription, versions, last NACK): AdminState.streams. */
  streams(): StreamInfo[];
  /** Prometheus registry of the xDS counters (pushes, ACKs, NACKs, connected streams). */
  readonly metrics: Registry;
}

export function createAdsSink(ctx: SinkContext<SinkAdsConfig>): AdsSink {
  const { config, baseDir } = ctx;
  const server = createXdsServer({
    address: config.address ?? '127.0.0.1:18000',
    tls: config.tls
      ? {
          cert: readPem(config.tls.cert, baseDir),
          key: readPem(config.tls.key, baseDir),
          clientCa: config.tls.clientCa ? readPem(config.tls.clientCa, baseDir) : undefined,
        }
      : undefined,
    maxMessageBytes: config.maxMessageBytes,
    groups: config.groups,
    feedback: ctx.feedback,
    logger: ctx.logger,
    keepalive: config.keepalive,
    sendBudgetBytes: config.sendBudgetBytes,
    vhds: config.vhds,
  });
  return {
    server,
    metrics: adsMetricsRegistry,
    streams: () => server.streams(),
    async start() {
      await server.listen();
    },
    publish(snapshot) {
      return server.publish(snapshot);
    },
    stop() {
      return server.close(config.drainMs);
    },
  };
}

export const sinkAdsPlugin = definePlugin({
  id: 'sink-ads',
  description: 'Serves snapshots to Envoy (and gRPC) over xDS v3: ADS and per-type services, SotW and delta',
  register(reg) {
    reg.sink({
      type: 'ads',
      configSchema: sinkAdsConfigSchema,
      create: (ctx) => createAdsSink(ctx as SinkContext<SinkAdsConfig>),
    });
  },
});
