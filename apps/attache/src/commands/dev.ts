import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemoUpstreams } from '../dev/demo-upstreams.js';
import { devPlugin } from '../dev/dev-plugin.js';
import { provideEnvoy } from '../dev/envoy-binary.js';
import { type RunningEnvoy, runEnvoy } from '../dev/envoy-runner.js';
import { type CliIO, UsageError } from '../io.js';
import { serveCommand } from './serve.js';

export const devUsage = `usage: attache dev [--envoy-path PATH] [--envoy-admin PORT] [--port-offset N] [serve options…]

One command to a working edge: the control plane (as 'attache serve'), a real
Envoy started on the bootstrap it writes, and — for the bundled example
(examples/quickstart, when neither --config nor --watch is given) — small local
demo upstreams for its services, so that

  curl http://localhost:8080/quote/

answers through Envoy at once. Edit examples/quickstart/*.yaml and the next
request shows the change. Ctrl-C stops everything (exit code 0).

  --envoy-path PATH   the Envoy binary (default: $ENVOY_BIN, else the official
                      build cached by tools/envoy/get.sh, fetched on first use)
  --envoy-admin PORT  Envoy's admin port on 127.0.0.1 (default 9901)
  --port-offset N     add N to every Listener port (8080 → 8080+N), when 8080/8443 are taken
  --demo              start the demo upstreams with another --config/--watch too (services
                      named quote, users, users-beta, catalog-v1, catalog-v2 are sent to them)

Every 'attache serve' option is accepted too (--config, --watch, --ads, --admin, --bootstrap, --log-level, …).`;

interface DevFlags {
  demo: boolean;
  envoyPath?: string;
  envoyAdmin: number;
  portOffset: number;
  serveArgs: string[];
}

function parseDevFlags(argv: string[]): DevFlags {
  const flags: DevFlags = { demo: false, envoyAdmin: 9901, portOffset: 0, serveArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    const integer = (v: string, min: number, max: number): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new UsageError(`${name} takes an integer ${min}–${max}, not '${v}'`);
      return n;
    };
    if (name === '--envoy-path') flags.envoyPath = value();
    else if (name === '--envoy-admin') flags.envoyAdmin = integer(value(), 0, 65535);
    else if (name === '--port-offset') flags.portOffset = integer(value(), 0, 50000);
    else if (arg === '--demo') flags.demo = true;
    else flags.serveArgs.push(arg);
  }
  return flags;
}

function flagValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

export async function devCommand(argv: string[], io: CliIO): Promise<number> {
  const flags = parseDevFlags(argv);
  const usesExample =
    flags.demo ||
    (flagValue(flags.serveArgs, '--config') === undefined &&
      !flags.serveArgs.some((a) => a === '--watch' || a === '-w' || a.startsWith('--watch=')));
  const bootstrapFlag = flagValue(flags.serveArgs, '--bootstrap');
  const bootstrapPath = resolve(io.cwd, bootstrapFlag ?? 'envoy-bootstrap.json');
  const serveArgs = bootstrapFlag ? flags.serveArgs : [...flags.serveArgs, '--bootstrap', bootstrapPath];

  const envoyBinary = await provideEnvoy(flags.envoyPath, (line) => io.stderr(`${line}\n`)).catch(
    (e: Error) => {
      io.stderr(`attache dev: ${e.message}\n`);
      return undefined;
    },
  );
  if (!envoyBinary) return 1;

  const upstreams = usesExample ? await startDemoUpstreams() : undefined;
  const work = mkdtempSync(join(tmpdir(), 'attache-dev-'));
  let envoy: RunningEnvoy | undefined;
  let failed = false;
  let stopping = false;
  let stopRequested: () => void = () => {};
  const stopSignal = new Promise<void>((resolvePromise) => {
    stopRequested = resolvePromise;
  });
  // Envoy first, so it does not log the control plane going away under it.
  const onSignal = () => {
    stopping = true;
    void (envoy?.stop() ?? Promise.resolve()).then(() => stopRequested());
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const plugin = devPlugin({ upstreams: upstreams?.ports ?? new Map(), portOffset: flags.portOffset });
  const code = await serveCommand(
    serveArgs,
    {
      ...io,
      stopSignal: io.stopSignal ? Promise.race([io.stopSignal, stopSignal]) : stopSignal,
      onServing: (serving) => {
        io.onServing?.(serving);
        const bootstrap = JSON.parse(readFileSync(bootstrapPath, 'utf8')) as Record<string, unknown>;
        bootstrap.admin = {
          address: { socket_address: { address: '127.0.0.1', port_value: flags.envoyAdmin } },
        };
        const envoyBootstrap = join(work, 'envoy-bootstrap.json');
        writeFileSync(envoyBootstrap, JSON.stringify(bootstrap, null, 2));
        envoy = runEnvoy(envoyBinary, envoyBootstrap, (line) => io.stdout(`${line}\n`));
        void envoy.exited.then((exitCode) => {
          if (stopping) return;
          failed = true;
          io.stderr(`attache dev: Envoy exited unexpectedly (code ${exitCode}); stopping\n`);
          stopRequested();
        });
        io.stderr(
          banner({
            usesExample,
            offset: flags.portOffset,
            envoyAdmin: flags.envoyAdmin,
            admin: serving.admin?.url,
            envoyBinary,
          }),
        );
      },
    },
    [plugin],
  ).finally(async () => {
    stopping = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await envoy?.stop();
    await upstreams?.close();
    rmSync(work, { recursive: true, force: true });
  });
  if (code === 0 && !failed)
    io.stderr('attache dev: stopped (Envoy, control plane and demo upstreams); exit 0\n');
  return failed ? 1 : code;
}

function banner(o: {
  usesExample: boolean;
  offset: number;
  envoyAdmin: number;
  admin?: string;
  envoyBinary: string;
}): string {
  const http = 8080 + o.offset;
  const https = 8443 + o.offset;
  const lines = [
    '',
    `attache dev: Envoy (${o.envoyBinary}) is starting on the bootstrap Attaché wrote; its admin is http://127.0.0.1:${o.envoyAdmin}`,
    ...(o.admin ? [`attache dev: Attaché diagnostics: ${o.admin}`] : []),
  ];
  if (o.usesExample) {
    lines.push(
      'attache dev: the bundled example is served, with local demo upstreams. Try:',
      `  curl http://localhost:${http}/quote/`,
      `  curl -H 'host: local.example.com' http://localhost:${http}/catalog/   # 90/10 canary: catalog-v1 / catalog-v2`,
      `  curl -k --resolve secure.example.com:${https}:127.0.0.1 https://secure.example.com:${https}/api/v1/users/42`,
      `  curl -k --resolve secure.example.com:${https}:127.0.0.1 -H 'x-beta: true' https://secure.example.com:${https}/api/v1/users/42`,
      `  curl -i -H 'host: secure.example.com' http://localhost:${http}/api/v1/users/42   # cleartext → 301 to https`,
      '  then edit examples/quickstart/30-mappings.yaml and run the same request again.',
    );
  }
  lines.push('attache dev: Ctrl-C stops everything.', '');
  return `${lines.join('\n')}\n`;
}
