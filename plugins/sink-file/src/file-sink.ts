import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Sink, SinkContext, Snapshot } from '@attache/core';
import type { BootstrapNode, buildAdsBootstrap, buildStaticBootstrap } from '@attache/envoy';
import { type Static, Type } from '@sinclair/typebox';
import { readIfExists, writeFileAtomically } from './atomic-write.js';

// The `yaml` library is loaded when a bootstrap is first written as YAML, not with the plugin.
const require = createRequire(import.meta.url);
const toYaml = (value: unknown) =>
  (require('yaml') as typeof import('yaml')).stringify(value, { sortMapEntries: false });

export const FileSinkConfigSchema = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'bootstrap file to write, relative to the config file' }),
    format: Type.Union([Type.Literal('json'), Type.Literal('yaml')], { default: 'json' }),
    mode: Type.Union([Type.Literal('static'), Type.Literal('ads')], {
      default: 'ads',
      description:
        "'static': every resource inline, rewritten on change; 'ads': points Envoy at the ADS server",
    }),
    ads: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 18000 }),
        delta: Type.Optional(
          Type.Boolean({
            description: 'incremental (delta) xDS instead of state-of-the-world (default false)',
          }),
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    node: Type.Object(
      {
        id: Type.String({ minLength: 1, default: 'attache-envoy' }),
        cluster: Type.String({ minLength: 1, default: 'attache' }),
      },
      { default: {}, additionalProperties: false },
    ),
    admin: Type.Optional(
      Type.Object(
        { host: Type.String({ default: '127.0.0.1' }), port: Type.Integer({ minimum: 0, maximum: 65535 }) },
        { additionalProperties: false },
      ),
    ),
    stats: Type.Optional(
      Type.Object(
        {
          host: Type.String({ default: '0.0.0.0' }),
          port: Type.Integer({ minimum: 1, maximum: 65535 }),
        },
        {
          additionalProperties: false,
          description:
            "Envoy's own stats for Prometheus on a listener of its own: GET /metrics and /stats/prometheus only (never the rest of the admin); needs admin on a fixed port",
        },
      ),
    ),
    group: Type.String({
      default: 'default',
      description: 'node group (ambassador_id) whose snapshot a static bootstrap holds',
    }),
  },
  { additionalProperties: false },
);

export type FileSinkConfig = Static<typeof FileSinkConfigSchema>;

/** The two builders of @attache/envoy this sink needs, injectable so the sink can be tested alone. */
export interface BootstrapBuilders {
  buildStaticBootstrap: typeof buildStaticBootstrap;
  buildAdsBootstrap: typeof buildAdsBootstrap;
}

/**
 * Writes an Envoy bootstrap file. In ADS mode the file only says where the
 * control plane is, so it is written once at start; in static mode it holds
 * the whole configuration and follows every snapshot of its group. Either
 * way it is rewritten only when its bytes change, so a file watcher on the
 * other side does not restart Envoy for nothing.
 */
export function createFileSink(ctx: SinkContext<FileSinkConfig>, builders: BootstrapBuilders): Sink {
  const config = ctx.config;
  const path = resolve(ctx.baseDir, config.path);
  const node: BootstrapNode = {
    id: config.node.id,
    cluster: config.node.cluster,
    locality: { zone: 'attache' },
  };
  const admin = config.admin ? { address: config.admin.host, port: config.admin.port } : undefined;
  const stats = config.stats ? { address: config.stats.host, port: config.stats.port } : undefined;
  if (stats && (!admin || admin.port === 0)) {
    throw new Error(
      'sinks.file.stats needs sinks.file.admin with a fixed port: the stats listener forwards to the admin address',
    );
  }
  let written: string | undefined;

  const serialize = (bootstrap: unknown) =>
    config.format === 'yaml' ? toYaml(bootstrap) : `${JSON.stringify(bootstrap, null, 2)}\n`;

  const write = async (bootstrap: unknown, why: Record<string, unknown>) => {
    const text = serialize(bootstrap);
    if (written === undefined) written = await readIfExists(path);
    if (text === written) {
      ctx.logger.debug({ path, ...why }, 'bootstrap unchanged; not rewritten');
      return;
    }
    await writeFileAtomically(path, text);
    written = text;
    ctx.logger.info({ path, mode: config.mode, ...why }, 'wrote Envoy bootstrap');
  };

  return {
    async start() {
      if (config.mode === 'ads') {
        await write(
          builders.buildAdsBootstrap({
            node,
            ads: { host: config.ads.host, port: config.ads.port },
            // Delta by default: a reconnecting delta client says what it holds, so a restarted
            // control plane never removes a cluster a route still uses (SotW cannot; sink-ads README).
            ...(config.ads.delta !== false ? { delta: true } : {}),
            ...(admin ? { admin } : {}),
            ...(stats ? { stats } : {}),
          }),
          { ads: `${config.ads.host}:${config.ads.port}` },
        );
      }
    },
    async publish(snapshot: Snapshot) {
      if (config.mode !== 'static' || snapshot.group !== config.group) return;
      await write(
        builders.buildStaticBootstrap(snapshot.resources, {
          node,
          ...(admin ? { admin } : {}),
          ...(stats ? { stats } : {}),
        }),
        {
          serial: snapshot.serial,
          version: snapshot.version,
        },
      );
    },
    async stop() {},
  };
}
