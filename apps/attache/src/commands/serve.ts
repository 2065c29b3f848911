import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AdminState } from '@attache/admin';
import { createPipeline, type Logger, type Plugin } from '@attache/core';
import {
  bootRuntime,
  createLogger,
  type LogLevel,
  loadConfigFile,
  parseConfig,
  type Runtime,
  stopOnSignals,
} from '@attache/runtime';
import { type Distribution, loadDistribution } from '../distribution.js';
import type { CliIO } from '../io.js';
import { applyServeFlags, defaultConfigPath } from '../serve-config.js';
import { serveCompileWorker } from '../worker-pipeline.js';

export const serveUsage = `usage: attache serve [--config attache.yaml] [--watch PATH]… [--ads HOST:PORT] [--admin HOST:PORT]
                    [--bootstrap FILE] [--kubernetes [--kubeconfig FILE] [--namespace NS]] [--log-level LEVEL]
                    [--log-format auto|json|pretty]

Runs the control plane with the sources and sinks of the config file (default:
the bundled example, ${defaultConfigPath}). Flags override the file.
Logs go to stderr: human-readable lines when it is a terminal, JSON otherwise
(--log-format, or log.format in the file, forces one). Stops cleanly on
SIGINT/SIGTERM (Ctrl-C) with exit code 0.`;

export interface Serving {
  runtime: Runtime;
  configPath: string;
  admin?: { url: string };
}

/**
 * `extraPlugins` join the distribution's (attache dev adds its local-upstream
 * plugin this way; serve itself passes none).
 */
export async function serveCommand(
  argv: string[],
  io: CliIO,
  extraPlugins: readonly Plugin[] = [],
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      watch: { type: 'string', short: 'w', multiple: true, default: [] },
      ads: { type: 'string' },
      admin: { type: 'string' },
      bootstrap: { type: 'string' },
      kubernetes: { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
    },
    strict: true,
  });
  const configPath = values.config ? resolve(io.cwd, values.config) : defaultConfigPath;
  const loaded = loadConfigFile(configPath);
  const config = parseConfig(
    applyServeFlags(
      loaded.config,
      {
        watch: values.watch,
        kubernetes: values.kubernetes,
        ...(values.ads ? { ads: values.ads } : {}),
        ...(values.admin ? { admin: values.admin } : {}),
        ...(values.bootstrap ? { bootstrap: values.bootstrap } : {}),
        ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
        ...(values.namespace ? { namespace: values.namespace } : {}),
        ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
        ...(values['log-format'] ? { logFormat: values['log-format'] } : {}),
      },
      io.cwd,
    ),
    configPath,
  );
  const logger = createLogger(config.log.level as LogLevel, undefined, config.log.format);
  const distribution = await loadDistribution({
    sources: Object.keys(config.sources),
    sinks: Object.keys(config.sinks),
  });
  if (distribution.missing.length > 0) {
    throw new Error(`this build of attache is incomplete: missing ${distribution.missing.join(', ')}`);
  }
  if (!values.config) dropUnavailableDefaults(config, distribution.plugins, logger);

  // The compile worker rebuilds the pipeline from modules; in-memory extra plugins (attache dev) compile in this thread.
  const needs = { sources: Object.keys(config.sources), sinks: Object.keys(config.sinks) };
  const compileWorker =
    extraPlugins.length === 0
      ? serveCompileWorker({ config, baseDir: loaded.baseDir, origin: configPath, needs })
      : undefined;
  const { runtime } = await bootRuntime({
    config,
    baseDir: loaded.baseDir,
    distribution: [...distribution.plugins, ...extraPlugins],
    logger,
    origin: configPath,
    ...(compileWorker ? { compileWorker } : {}),
  });
  // Loaded on demand: fastify is heavy, and only serve needs it.
  const { createAdminServer } = await import('@attache/admin');
  const admin =
    config.admin?.enabled !== false && config.admin
      ? createAdminServer({
          address: { host: config.admin.host, port: config.admin.port },
          state: adminState(runtime),
          logger: logger.child({ component: 'admin' }),
        })
      : undefined;
  if (admin) {
    // Registered before start(): the sources' first writes count toward the first cycle's watch lag.
    runtime.store.onChange((source) => admin.sourceWrote(source));
    runtime.onCycle((cycle) => admin.cycleFinished(cycle));
  }
  // A port in use or an unreachable API server is the environment, not a bug: say so and exit 1.
  let adminAddress: Awaited<ReturnType<NonNullable<typeof admin>['listen']>> | undefined;
  try {
    adminAddress = admin ? await admin.listen() : undefined;
    await runtime.start();
  } catch (e) {
    await admin?.close();
    await runtime.stop();
    io.stderr(`attache serve: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  logger.info({ config: configPath, admin: adminAddress?.url }, 'attache is serving');
  io.onServing?.({ runtime, configPath, ...(adminAddress ? { admin: { url: adminAddress.url } } : {}) });

  let code: number;
  if (io.stopSignal) {
    await io.stopSignal;
    await runtime.stop();
    code = 0;
  } else {
    code = await stopOnSignals(runtime, logger);
  }
  await admin?.close();
  return code;
}

/** What the admin server shows: the runtime's snapshots and diagnostics, plus the ADS sink's streams and metrics. */
function adminState(runtime: Runtime): AdminState {
  const ads = () =>
    runtime.sink('ads') as Partial<{ streams(): unknown[]; metrics: AdminState['metrics'] }> | undefined;
  return {
    snapshot: (group) => runtime.snapshot(group),
    diagnostics: () => runtime.diagnostics(),
    streams: () => {
      const sink = ads();
      return typeof sink?.streams === 'function' ? sink.streams() : [];
    },
    get metrics() {
      return ads()?.metrics;
    },
    groups: () => runtime.groups,
    inputs: () => runtime.store.contents().resources,
    // The Kubernetes source elects a leader for status write-back (and says `leading`); no other source has an election.
    leadership: () => {
      const leading = (runtime.source('kubernetes') as { leading?: unknown } | undefined)?.leading;
      return typeof leading === 'boolean' ? [{ source: 'kubernetes', leading }] : [];
    },
  };
}

/**
 * The bundled example names the ADS sink and the Kubernetes source; a
 * distribution built without them still serves the rest of the example.
 */
function dropUnavailableDefaults(
  config: ReturnType<typeof parseConfig>,
  plugins: Distribution['plugins'],
  logger: Logger,
): void {
  const pipeline = createPipeline(plugins);
  const registered = { sources: new Set(pipeline.sources.keys()), sinks: new Set(pipeline.sinks.keys()) };
  for (const section of ['sources', 'sinks'] as const) {
    for (const type of Object.keys(config[section])) {
      if (!registered[section].has(type)) {
        logger.warn(
          { [section]: type },
          `this distribution has no ${section === 'sources' ? 'source' : 'sink'} '${type}'; skipping it`,
        );
        delete config[section][type];
      }
    }
  }
}
