// The real edge for end-to-end tests: `attache serve` as a child process (the
// built CLI, apps/attache/dist/main.js — `pnpm test` builds it first; alone:
// `npx -y pnpm@12.4.2 run build`), watching a folder of resources, and a real
// Envoy started from the bootstrap that serve wrote. Everything on 127.0.0.1
// with free ports, so suites run in parallel.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EnvoyProcess,
  envoyMissingMessage,
  findEnvoyBinary,
  freePorts,
} from '../../packages/testkit/src/index.js';

export * from '../../packages/testkit/src/index.js';

// tests/ is not a workspace package: third-party modules come from the testkit, which declares them.
const requireFromTestkit = createRequire(new URL('../../packages/testkit/package.json', import.meta.url));
const { stringify } = requireFromTestkit('yaml') as typeof import('yaml');
export const WebSocket = requireFromTestkit('ws') as typeof import('ws').default;

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = join(repoRoot, 'apps/attache/dist/main.js');

/** Why a suite is skipped, or undefined when Envoy and the built CLI are both here. */
export function edgeSkipReason(suite: string): string | undefined {
  if (!findEnvoyBinary()) return envoyMissingMessage(suite);
  if (!existsSync(cliPath)) {
    return `\n*** ${suite}: SKIPPED — ${cliPath} is not built. Run 'npx -y pnpm@12.4.2 run build' (pnpm test does).\n`;
  }
  return undefined;
}

/** A Kubernetes-style object for a resource file. */
export type Obj = Record<string, unknown>;

/** Writes `objects` as one multi-document YAML file (atomically: write then rename is not needed for the watcher's debounce). */
export function writeResources(dir: string, file: string, objects: Obj[]): string {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
}

export function listener(name: string, port: number, protocol: 'HTTP' | 'HTTPS' = 'HTTP'): Obj {
  return {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name, namespace: 'default' },
    spec: { port, protocol, securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
  };
}

export function mapping(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { hostname: '*', ...spec },
  };
}

export function host(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Host',
    metadata: { name, namespace: 'default' },
    spec,
  };
}

/**
 * `ATTACHE_E2E_VHDS=1` runs every suite's `serve` with the ADS sink's `vhds` option on and a
 * delta-xDS bootstrap (Envoy supports VHDS over delta only): route tables reach Envoy as
 * RouteConfigurations without virtual hosts plus one VirtualHost resource per virtual host.
 * `ATTACHE_E2E_VHDS=on-demand` also turns on on-demand updates (Envoy's on-demand filter in
 * each HTTP connection manager); `lazy` also sends exact-domain virtual hosts only on demand.
 * CI runs the routing suites with VHDS off and on. A suite that passes `delta: false` tests
 * state-of-the-world ADS and keeps it whatever this says.
 */
export const vhdsFromEnvironment: boolean | { onDemand: boolean; lazy?: boolean } =
  process.env.ATTACHE_E2E_VHDS === 'on-demand'
    ? { onDemand: true }
    : process.env.ATTACHE_E2E_VHDS === 'lazy'
      ? { onDemand: true, lazy: true }
      : process.env.ATTACHE_E2E_VHDS === '1';

export interface AttacheOptions {
  /** The folder `serve` watches. */
  resources: string;
  /** Ports for ADS and admin (free ones by default; pass the same to restart on them). */
  adsPort?: number;
  adminPort?: number;
  /** Write a delta-xDS bootstrap (default: state-of-the-world, so every suite says which it tests). */
  delta?: boolean;
  /** Extra attache.yaml top-level keys. */
  config?: Obj;
  /**
   * Serve route tables as VHDS (implies delta). Default: from `ATTACHE_E2E_VHDS`, except when
   * `delta` is `false`, which says the suite tests state-of-the-world ADS.
   */
  vhds?: boolean | { onDemand: boolean; lazy?: boolean };
  logLevel?: string;
}

/** `attache serve` in a child process. */
export class AttacheProcess {
  private output = '';
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly adsPort: number,
    readonly adminPort: number,
    readonly bootstrapPath: string,
    readonly workDir: string,
  ) {
    const append = (c: Buffer) => {
      this.output += c.toString('utf8');
      if (this.output.length > 4_000_000) this.output = this.output.slice(-2_000_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  static async start(options: AttacheOptions): Promise<AttacheProcess> {
    const [adsPort, adminPort] =
      options.adsPort && options.adminPort ? [options.adsPort, options.adminPort] : await freePorts(2);
    const workDir = mkdtempSync(join(tmpdir(), 'attache-serve-'));
    const bootstrapPath = join(workDir, 'envoy-bootstrap.json');
    // An explicit `delta: false` is a suite testing state-of-the-world ADS: VHDS (delta only)
    // from the environment does not apply to it.
    const vhds = options.vhds ?? (options.delta === false ? false : vhdsFromEnvironment);
    const config = {
      sources: { file: { paths: [options.resources], watch: true } },
      sinks: {
        ads: { address: `127.0.0.1:${adsPort}`, ...(vhds ? { vhds } : {}) },
        file: {
          path: bootstrapPath,
          format: 'json',
          mode: 'ads',
          ads: { host: '127.0.0.1', port: adsPort, delta: options.delta === true || vhds !== false },
        },
      },
      admin: { host: '127.0.0.1', port: adminPort },
      ambassadorIds: ['default'],
      debounce: { quietMs: 50, maxMs: 500 },
      log: { level: options.logLevel ?? 'info' },
      ...(options.config ?? {}),
    };
    const configPath = join(workDir, 'attache.yaml');
    writeFileSync(configPath, stringify(config));
    const child = spawn(process.execPath, [cliPath, 'serve', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const attache = new AttacheProcess(child, adsPort ?? 0, adminPort ?? 0, bootstrapPath, workDir);
    await attache.waitFor(async () => (await attache.api('/readyz').catch(() => undefined))?.status === 200, {
      what: 'attache /readyz → 200',
      timeoutMs: 30_000,
    });
    return attache;
  }

  get adminUrl(): string {
    return `http://127.0.0.1:${this.adminPort}`;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  logs(): string {
    return this.output;
  }

  tail(lines = 60): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  async api(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.adminUrl}${path}`);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (metrics, the UI)
    }
    return { status: response.status, body };
  }

  /** The current diagnostics (`/api/diagnostics`). */
  async diagnostics(): Promise<Array<{ code: string; severity: string; message: string; resource?: Obj }>> {
    const r = await this.api('/api/diagnostics');
    return (
      r.body as { diagnostics: Array<{ code: string; severity: string; message: string; resource?: Obj }> }
    ).diagnostics;
  }

  async waitFor(
    check: () => boolean | Promise<boolean>,
    options: { what: string; timeoutMs?: number },
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    for (;;) {
      if (!this.running)
        throw new Error(
          `attache exited (${this.exitCode}) while waiting for ${options.what}:\n${this.tail()}`,
        );
      if (await check()) return;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${options.what}\n--- attache log ---\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.workDir, { recursive: true, force: true });
    return this.exitCode ?? null;
  }

  /** SIGKILL: the control plane dies without a goodbye. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Attaché and a real Envoy on its bootstrap, ready (Envoy LIVE, initial config received). */
export interface Edge {
  attache: AttacheProcess;
  envoy: EnvoyProcess;
  /** Stops both (Envoy first). */
  stop(): Promise<void>;
}

export async function startEdge(options: AttacheOptions & { name?: string }): Promise<Edge> {
  const attache = await AttacheProcess.start(options);
  let envoy: EnvoyProcess;
  try {
    envoy = await EnvoyProcess.start({
      bootstrap: attache.bootstrapPath,
      name: options.name ?? 'edge-envoy',
    });
  } catch (e) {
    await attache.stop();
    throw e;
  }
  return {
    attache,
    envoy,
    async stop() {
      await envoy.stop();
      await attache.stop();
    },
  };
}

/** A temporary folder of resources, removed by the returned function. */
export function resourceDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'attache-resources-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An HTTP request to 127.0.0.1:`port` with an explicit Host header (fetch
 * refuses to set Host), over node:http; resolves with status, headers, body.
 */
export async function request(
  port: number,
  path: string,
  options: {
    host?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { ...(options.host ? { host: options.host } : {}), ...(options.headers ?? {}) },
        timeout: options.timeoutMs ?? 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request ${path} timed out`)));
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}
