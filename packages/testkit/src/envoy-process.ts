import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findEnvoyBinary } from './envoy-binary.js';

export interface EnvoyStartOptions {
  /** A bootstrap object, or the path of a JSON/YAML bootstrap file (as `attache serve` writes). */
  bootstrap: Record<string, unknown> | string;
  /** Defaults to findEnvoyBinary(). */
  binary?: string;
  /** Envoy's `-l` (default `info`, so a failing test shows what Envoy thought). */
  logLevel?: string;
  /** Worker threads (default 1: tests run several Envoys on 2 cores). */
  concurrency?: number;
  /** A label for logs and errors. */
  name?: string;
  /** How long to wait for `/ready` (default 20 s). */
  readyTimeoutMs?: number;
  /** Do not wait for `/ready` (a test that watches Envoy come up against a missing control plane). */
  noWait?: boolean;
  /**
   * Keep the bootstrap's admin address instead of moving it to 127.0.0.1:0: for a
   * bootstrap whose own listeners point at the admin (the stats listener); the
   * test then picks a free port for it.
   */
  keepAdmin?: boolean;
  extraArgs?: string[];
}

/** Per-xDS-type counters from Envoy's `/stats`, summed over every resource of the type. */
export interface XdsTypeStats {
  updateAttempt: number;
  updateSuccess: number;
  updateRejected: number;
}
export type XdsStats = Record<'lds' | 'cds' | 'rds' | 'eds' | 'sds', XdsTypeStats>;

const maxLogBytes = 4 * 1024 * 1024;

/**
 * A real Envoy on 127.0.0.1: its admin server on an ephemeral port (whatever
 * the bootstrap said), a base id of its own (`--use-dynamic-base-id`, so
 * several run at once), its output captured for a failing test to print.
 */
export class EnvoyProcess {
  private output = '';
  private exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
    private readonly dir: string,
    readonly adminUrl: string,
  ) {
    const append = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      if (this.output.length > maxLogBytes) this.output = this.output.slice(-maxLogBytes / 2);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      });
    });
  }

  static async start(options: EnvoyStartOptions): Promise<EnvoyProcess> {
    const binary = options.binary ?? findEnvoyBinary();
    if (!binary) throw new Error('no Envoy binary: run tools/envoy/get.sh or set ENVOY_BIN');
    const name = options.name ?? 'envoy';
    const dir = mkdtempSync(join(tmpdir(), `attache-${name}-`));
    const loaded = loadBootstrap(options.bootstrap);
    const bootstrap = options.keepAdmin ? loaded : withEphemeralAdmin(loaded);
    const bootstrapPath = join(dir, 'bootstrap.json');
    writeFileSync(bootstrapPath, JSON.stringify(bootstrap, null, 2));
    const adminPath = join(dir, 'admin-address');
    const args = [
      '-c',
      bootstrapPath,
      '--use-dynamic-base-id',
      '--base-id-path',
      join(dir, 'base-id'),
      '--admin-address-path',
      adminPath,
      '--concurrency',
      String(options.concurrency ?? 1),
      '-l',
      options.logLevel ?? 'info',
      '--drain-time-s',
      '1',
      '--parent-shutdown-time-s',
      '2',
      ...(options.extraArgs ?? []),
    ];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const early: string[] = [];
    child.stdout?.on('data', (c: Buffer) => early.push(c.toString()));
    child.stderr?.on('data', (c: Buffer) => early.push(c.toString()));
    let exitedEarly: number | null | undefined;
    child.once('exit', (code) => {
      exitedEarly = code;
    });
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    let admin: string | undefined;
    while (!admin) {
      if (exitedEarly !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(
          `${name} exited with ${exitedEarly} before its admin server started:\n${early.join('')}`,
        );
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `${name}: no admin address after ${options.readyTimeoutMs ?? 20_000} ms:\n${early.join('')}`,
        );
      }
      try {
        const text = readFileSync(adminPath, 'utf8').trim();
        if (text) admin = text;
      } catch {
        // not written yet
      }
      if (!admin) await sleep(25);
    }
    const envoy = new EnvoyProcess(child, name, dir, `http://${admin}`);
    envoy.output = early.join('');
    if (!options.noWait) await envoy.waitReady(Math.max(1000, deadline - Date.now()));
    return envoy;
  }

  /** Everything Envoy printed (its log and the stdout access log), most recent 4 MiB. */
  logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The Envoy process id (for /proc/<pid>/status: RSS in benchmarks). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once `/ready` answers 200 (Envoy's initial xDS fetch is done: it is LIVE). */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    await this.waitFor(
      async () => {
        const r = await this.admin('/ready').catch(() => undefined);
        return r?.status === 200;
      },
      { timeoutMs, what: 'ready (GET /ready → 200)' },
    );
  }

  /** GET on the admin server. */
  async admin(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.adminUrl}${path}`);
    return { status: response.status, body: await response.text() };
  }

  /** POST on the admin server (e.g. `/drain_listeners`). */
  async adminPost(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.adminUrl}${path}`, { method: 'POST' });
    return { status: response.status, body: await response.text() };
  }

  /** `/config_dump` (with EDS when `includeEds`), parsed. */
  async configDump(includeEds = false): Promise<{ configs: Array<Record<string, unknown>> }> {
    const r = await this.admin(`/config_dump${includeEds ? '?include_eds' : ''}`);
    if (r.status !== 200) throw new Error(`${this.name} /config_dump answered ${r.status}: ${r.body}`);
    return JSON.parse(r.body) as { configs: Array<Record<string, unknown>> };
  }

  /** The names of the dynamic listeners, clusters and route configurations Envoy holds (active). */
  async dynamicNames(): Promise<{ listeners: string[]; clusters: string[]; routeConfigs: string[] }> {
    const dump = await this.configDump();
    const of = (suffix: string) => dump.configs.find((c) => String(c['@type']).endsWith(suffix)) ?? {};
    const listeners = (
      (of('ListenersConfigDump').dynamic_listeners ?? []) as Array<{ name?: string; active_state?: unknown }>
    )
      .filter((l) => l.active_state)
      .map((l) => String(l.name));
    const clusters = (
      (of('ClustersConfigDump').dynamic_active_clusters ?? []) as Array<{ cluster?: { name?: string } }>
    ).map((c) => String(c.cluster?.name));
    const routeConfigs = (
      (of('RoutesConfigDump').dynamic_route_configs ?? []) as Array<{ route_config?: { name?: string } }>
    ).map((r) => String(r.route_config?.name));
    return { listeners: listeners.sort(), clusters: clusters.sort(), routeConfigs: routeConfigs.sort() };
  }

  /** Every counter and gauge of `/stats` (histograms left out). */
  async stats(filter?: string): Promise<Map<string, number>> {
    const r = await this.admin(`/stats${filter ? `?filter=${encodeURIComponent(filter)}` : ''}`);
    const out = new Map<string, number>();
    for (const line of r.body.split('\n')) {
      const m = /^(.+): (\d+)$/.exec(line);
      if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
    }
    return out;
  }

  /** update_attempt/success/rejected per xDS type, summed over resources (RDS per route config, SDS per secret). */
  async xdsStats(): Promise<XdsStats> {
    const stats = await this.stats('update_');
    const zero = (): XdsTypeStats => ({ updateAttempt: 0, updateSuccess: 0, updateRejected: 0 });
    const out: XdsStats = { lds: zero(), cds: zero(), rds: zero(), eds: zero(), sds: zero() };
    for (const [name, value] of stats) {
      const m = /\.(update_attempt|update_success|update_rejected)$/.exec(name);
      if (!m) continue;
      const type = xdsTypeOfStat(name);
      if (!type) continue;
      const field =
        m[1] === 'update_attempt'
          ? 'updateAttempt'
          : m[1] === 'update_success'
            ? 'updateSuccess'
            : 'updateRejected';
      out[type][field] += value;
    }
    return out;
  }

  /** `/clusters?format=json`: per cluster, its hosts with address and health. */
  async clusters(): Promise<Array<{ name: string; hosts: Array<{ address: string; healthy: boolean }> }>> {
    const r = await this.admin('/clusters?format=json');
    const body = JSON.parse(r.body) as { cluster_statuses?: ClusterStatus[] };
    return (body.cluster_statuses ?? []).map((c) => ({
      name: String(c.name),
      hosts: (c.host_statuses ?? []).map((h) => ({
        address: `${h.address?.socket_address?.address}:${h.address?.socket_address?.port_value}`,
        healthy: isHealthy(h.health_status ?? {}),
      })),
    }));
  }

  /** Polls `check` until it returns true; the error names `what` and ends with Envoy's recent log. */
  async waitFor(
    check: () => boolean | Promise<boolean>,
    options: { timeoutMs?: number; intervalMs?: number; what: string },
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    for (;;) {
      if (!this.running)
        throw new Error(
          `${this.name} exited (${this.exitCode}) while waiting for ${options.what}:\n${this.tail()}`,
        );
      if (await check()) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name}: timed out waiting for ${options.what}\n--- envoy log (tail) ---\n${this.tail()}`,
        );
      }
      await sleep(options.intervalMs ?? 50);
    }
  }

  /** The last `lines` lines of output. */
  tail(lines = 60): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes the temporary directory. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL at once (a crash, for reconnect tests). */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Envoy's host health: no `failed_*` flag set (outlier, active health check, …) and EDS not UNHEALTHY. */
interface ClusterStatus {
  name: string;
  host_statuses?: Array<{
    address?: { socket_address?: { address?: string; port_value?: number } };
    health_status?: Record<string, unknown>;
  }>;
}

function isHealthy(status: Record<string, unknown>): boolean {
  if (status.eds_health_status === 'UNHEALTHY') return false;
  return !Object.entries(status).some(([key, value]) => key.startsWith('failed_') && value === true);
}

function xdsTypeOfStat(name: string): keyof XdsStats | undefined {
  if (name.startsWith('listener_manager.lds.')) return 'lds';
  if (name.startsWith('cluster_manager.cds.')) return 'cds';
  if (name.startsWith('sds.')) return 'sds';
  if (/^http\..*\.rds\./.test(name)) return 'rds';
  if (name.startsWith('cluster.') && !name.startsWith('cluster_manager.')) return 'eds';
  return undefined;
}

function loadBootstrap(bootstrap: Record<string, unknown> | string): Record<string, unknown> {
  if (typeof bootstrap !== 'string') return structuredClone(bootstrap);
  const text = readFileSync(bootstrap, 'utf8');
  return (bootstrap.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
}

/** The admin server moves to 127.0.0.1:0 (reported through --admin-address-path), so Envoys never collide. */
function withEphemeralAdmin(bootstrap: Record<string, unknown>): Record<string, unknown> {
  const admin = (bootstrap.admin ?? {}) as Record<string, unknown>;
  return {
    ...bootstrap,
    admin: { ...admin, address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
