import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage } from '@attache/envoy';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { freePorts } from './free-port.js';

/** The version tools/ratelimit/get.sh builds (github.com/envoyproxy/ratelimit, a pseudo-version of main). */
export const defaultRateLimitVersion = 'v1.4.1-0.20260122083618-3fb702589d36';

/** Where tools/ratelimit/get.sh caches the service: `${ATTACHE_CACHE:-~/.cache/attache}/ratelimit/<version>/ratelimit`. */
export function cachedRateLimitPath(
  version: string = process.env.RATELIMIT_VERSION ?? defaultRateLimitVersion,
): string {
  const root = process.env.ATTACHE_CACHE ?? join(homedir(), '.cache', 'attache');
  return join(root, 'ratelimit', version, 'ratelimit');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The rate-limit service binary: `$RATELIMIT_BIN` when set, else the one tools/ratelimit/get.sh cached. */
export function findRateLimitBinary(): string | undefined {
  const explicit = process.env.RATELIMIT_BIN;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  const cached = cachedRateLimitPath();
  return isExecutable(cached) ? cached : undefined;
}

/** `redis-server`: `$REDIS_SERVER_BIN`, else Debian's /usr/bin/redis-server (or /usr/local/bin). */
export function findRedisServer(): string | undefined {
  const explicit = process.env.REDIS_SERVER_BIN;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(isExecutable);
}

/** The loud line a suite prints when it skips for want of the service or redis; it names the script. */
export function rateLimitMissingMessage(suite: string): string {
  const missing = [
    findRateLimitBinary()
      ? undefined
      : `no rate-limit service at ${process.env.RATELIMIT_BIN ?? cachedRateLimitPath()}`,
    findRedisServer() ? undefined : 'no redis-server',
  ].filter(Boolean);
  return (
    `\n*** ${suite}: SKIPPED — ${missing.join(', ')}.\n` +
    '*** Run tools/ratelimit/get.sh (builds github.com/envoyproxy/ratelimit from the Go module proxy, installs redis-server) or set RATELIMIT_BIN / REDIS_SERVER_BIN.\n'
  );
}

/**
 * One node of the service's configuration (its YAML `descriptors`): a key,
 * an optional value, a limit, and nested descriptors for longer descriptor
 * lists. Written to the config file as given.
 */
export interface RateLimitConfigDescriptor {
  key: string;
  value?: string;
  rate_limit?: {
    unit: 'second' | 'minute' | 'hour' | 'day';
    requests_per_unit: number;
    unlimited?: boolean;
  };
  shadow_mode?: boolean;
  descriptors?: RateLimitConfigDescriptor[];
}

export interface RateLimitServiceOptions {
  /** The domain the config file declares (Envoy's filter sends it with every request). */
  domain: string;
  descriptors: RateLimitConfigDescriptor[];
  binary?: string;
  redisBinary?: string;
  name?: string;
  /** How long to wait for redis and the service (default 20 s). */
  readyTimeoutMs?: number;
}

/** One descriptor the service was asked about, as `[key, value]` entries in order. */
export type SeenDescriptor = Array<[string, string]>;

const maxLogBytes = 4 * 1024 * 1024;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

class Child {
  output = '';
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
  constructor(
    readonly process: ChildProcess,
    onLine?: (line: string) => void,
  ) {
    let partial = '';
    const append = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output += text;
      if (this.output.length > maxLogBytes) this.output = this.output.slice(-maxLogBytes / 2);
      if (onLine) {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      }
    };
    process.stdout?.on('data', append);
    process.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      });
    });
  }
  get running(): boolean {
    return this.exitCode === undefined;
  }
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c: Buffer) => {
      reply += c.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function httpText(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return undefined;
  }
}

/** `got descriptor: (k=v),(k2=v2)` — what the service logs at debug level for each descriptor it is asked about. */
const descriptorLine = /got descriptor: (.*)$/;

function parseDescriptor(text: string): SeenDescriptor {
  const entries: SeenDescriptor = [];
  for (const m of text.matchAll(/\(([^=()]*)=([^()]*)\)/g)) entries.push([m[1] ?? '', m[2] ?? '']);
  return entries;
}

/**
 * Envoy's reference rate-limit service (github.com/envoyproxy/ratelimit, built by
 * tools/ratelimit/get.sh) with a redis-server of its own, both on free 127.0.0.1
 * ports: redis without persistence, the service reading one YAML file for
 * `domain` from a temporary runtime directory
 * (`RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/config/<domain>.yaml`). It logs at debug
 * level, so `seen` lists every descriptor it was asked about, in order.
 */
export class RateLimitService {
  /** Descriptors the service was asked about (parsed from its debug log), in arrival order. */
  readonly seen: SeenDescriptor[] = [];

  private constructor(
    private readonly redis: Child,
    private service: Child | undefined,
    private readonly dir: string,
    readonly name: string,
    readonly domain: string,
    readonly grpcPort: number,
    readonly httpPort: number,
    readonly debugPort: number,
    readonly redisPort: number,
  ) {}

  static async start(options: RateLimitServiceOptions): Promise<RateLimitService> {
    const binary = options.binary ?? findRateLimitBinary();
    const redisBinary = options.redisBinary ?? findRedisServer();
    if (!binary || !redisBinary) throw new Error(rateLimitMissingMessage('RateLimitService.start'));
    const name = options.name ?? 'ratelimit';
    const timeoutMs = options.readyTimeoutMs ?? 20_000;
    const dir = mkdtempSync(join(tmpdir(), `attache-${name}-`));
    const configDir = join(dir, 'runtime', 'ratelimit', 'config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, `${options.domain.replace(/[^A-Za-z0-9_-]/g, '_')}.yaml`),
      stringify({ domain: options.domain, descriptors: options.descriptors }),
    );
    const [redisPort, grpcPort, httpPort, debugPort] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];

    const redis = new Child(
      spawn(
        redisBinary,
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(redisPort),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    const deadline = Date.now() + timeoutMs;
    const cleanupAndThrow = async (message: string, service?: Child): Promise<never> => {
      await service?.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(message);
    };
    while (!(await redisPing(redisPort))) {
      if (!redis.running) return cleanupAndThrow(`${name}: redis-server exited:\n${redis.output}`);
      if (Date.now() > deadline) return cleanupAndThrow(`${name}: redis-server not ready:\n${redis.output}`);
      await sleep(25);
    }

    const self = new RateLimitService(
      redis,
      undefined,
      dir,
      name,
      options.domain,
      grpcPort,
      httpPort,
      debugPort,
      redisPort,
    );
    const service = new Child(
      spawn(binary, [], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOST: '127.0.0.1',
          PORT: String(httpPort),
          GRPC_HOST: '127.0.0.1',
          GRPC_PORT: String(grpcPort),
          DEBUG_HOST: '127.0.0.1',
          DEBUG_PORT: String(debugPort),
          RUNTIME_ROOT: join(dir, 'runtime'),
          RUNTIME_SUBDIRECTORY: 'ratelimit',
          RUNTIME_WATCH_ROOT: 'false',
          REDIS_SOCKET_TYPE: 'tcp',
          REDIS_URL: `127.0.0.1:${redisPort}`,
          USE_STATSD: 'false',
          USE_PROMETHEUS: 'false',
          LOG_LEVEL: 'debug',
          HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED: 'true',
        },
      }),
      (line) => {
        const m = descriptorLine.exec(line);
        if (m) self.seen.push(parseDescriptor(m[1] ?? ''));
      },
    );
    self.service = service;
    // Ready: /healthcheck says OK (it waits for a loaded config) and /rlconfig shows our domain.
    for (;;) {
      if (!service.running)
        return cleanupAndThrow(`${name}: the rate-limit service exited:\n${service.output}`);
      if (Date.now() > deadline)
        return cleanupAndThrow(`${name}: the rate-limit service is not ready:\n${service.output}`, service);
      const health = await httpText(`http://127.0.0.1:${httpPort}/healthcheck`);
      if (health?.status === 200) {
        const config = await httpText(`http://127.0.0.1:${debugPort}/rlconfig`);
        if (config?.text.includes(`${options.domain}.`)) break;
      }
      await sleep(50);
    }
    return self;
  }

  /** `127.0.0.1:<grpc port>`: where Envoy's rate-limit cluster points. */
  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  /** The service's configuration as it reports it on its debug port (`/rlconfig`). */
  async loadedConfig(): Promise<string> {
    return (await httpText(`http://127.0.0.1:${this.debugPort}/rlconfig`))?.text ?? '';
  }

  /** The service's and redis's output (for a failing test to print). */
  output(): string {
    return `--- ${this.name} service\n${this.service?.output ?? ''}\n--- redis\n${this.redis.output}`;
  }

  get running(): boolean {
    return this.service?.running ?? false;
  }

  /** Stops the service only (redis keeps running): a test of what Envoy does when the service is down. */
  async stopService(): Promise<void> {
    await this.service?.stop();
  }

  /** Stops the service and redis and removes the temporary directory. */
  async stop(): Promise<void> {
    await this.service?.stop();
    await this.redis.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ client

/** `envoy.service.ratelimit.v3.RateLimitRequest` in proto3 JSON (camelCase or snake_case names). */
export interface RateLimitRequestJson {
  domain: string;
  descriptors: Array<{ entries: Array<{ key: string; value: string }> }>;
  hitsAddend?: number;
}

const ratelimitServiceDefinition = {
  shouldRateLimit: {
    path: '/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: RateLimitRequestJson) =>
      Buffer.from(
        encodeMessage(
          'envoy.service.ratelimit.v3.RateLimitRequest',
          value as unknown as Record<string, unknown>,
        ),
      ),
    requestDeserialize: (bytes: Buffer) =>
      decodeMessage('envoy.service.ratelimit.v3.RateLimitRequest', bytes),
    responseSerialize: (value: Record<string, unknown>) =>
      Buffer.from(encodeMessage('envoy.service.ratelimit.v3.RateLimitResponse', value)),
    responseDeserialize: (bytes: Buffer) =>
      decodeMessage('envoy.service.ratelimit.v3.RateLimitResponse', bytes),
  },
} satisfies grpc.ServiceDefinition;

/**
 * A gRPC client of `envoy.service.ratelimit.v3.RateLimitService` (messages
 * encoded from Envoy's own protos): `shouldRateLimit` resolves to the
 * response in proto3 JSON (`overallCode: 'OK' | 'OVER_LIMIT'`, `statuses`).
 */
export function rateLimitClient(address: string) {
  const Client = grpc.makeGenericClientConstructor(ratelimitServiceDefinition, 'RateLimitService');
  const client = new Client(address, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (...args: unknown[]) => unknown>;
  return {
    shouldRateLimit(request: RateLimitRequestJson): Promise<Record<string, unknown>> {
      return new Promise((resolve, reject) => {
        (
          client.shouldRateLimit as (
            req: unknown,
            cb: (e: Error | null, r: Record<string, unknown>) => void,
          ) => void
        )(request, (e, r) => (e ? reject(e) : resolve(r)));
      });
    },
    close: () => client.close(),
  };
}
