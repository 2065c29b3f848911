import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.js';

/** The Consul version tools/consul/get.sh builds (the last MPL-2.0 line). */
export const defaultConsulVersion = '1.14.11';
export const consulGetScript = 'tools/consul/get.sh';

/** $CONSUL_BIN, else the binary tools/consul/get.sh caches; undefined when neither exists. */
export function findConsulBinary(): string | undefined {
  const explicit = process.env.CONSUL_BIN;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const cache = process.env.ATTACHE_CACHE ?? join(homedir(), '.cache', 'attache');
  const bin = join(cache, 'consul', defaultConsulVersion, 'consul');
  return existsSync(bin) ? bin : undefined;
}

export function consulMissingMessage(): string {
  return `consul ${defaultConsulVersion} not found: run ${consulGetScript} (builds it from the Go module proxy into ~/.cache/attache/consul/${defaultConsulVersion})`;
}

export interface ConsulAgentOptions {
  datacenter?: string;
  /** Turn ACLs on (default policy deny) with this management token. */
  managementToken?: string;
  /** Consul's limits.http_max_conns_per_client (default 200): the source holds one blocking query per service. */
  httpMaxConnsPerClient?: number;
  /** Serve HTTPS (on httpsPort) with this certificate; plain HTTP is still served on httpPort. */
  tls?: { cert: string; key: string; ca: string };
}

export interface ConsulInstanceSpec {
  id: string;
  name: string;
  address: string;
  port: number;
  /** A TTL check, passing at registration: `pass`/`fail` flips it. */
  ttlCheck?: boolean;
}

/**
 * `consul agent -dev` on loopback ports of its own (HTTP, HTTPS, server, serf;
 * DNS and gRPC off), for tests. Dev mode keeps its state in memory: a restart
 * starts empty, as an agent that lost its catalog would.
 */
export class ConsulAgent {
  readonly datacenter: string;
  readonly #options: ConsulAgentOptions;
  #process: ChildProcess | undefined;
  #ports: number[] = [];
  #dir = '';
  #log: string[] = [];

  constructor(options: ConsulAgentOptions = {}) {
    this.#options = options;
    this.datacenter = options.datacenter ?? 'dc1';
  }

  get httpPort(): number {
    return this.#ports[0]!;
  }
  get httpsPort(): number {
    return this.#ports[4]!;
  }
  /** host:port of the HTTP API. */
  get address(): string {
    return `127.0.0.1:${this.httpPort}`;
  }
  get recentLog(): string {
    return this.#log.slice(-40).join('');
  }

  /** Starts the agent (on the same ports as before, after a stop) and waits for a leader. */
  async start(): Promise<void> {
    const bin = findConsulBinary();
    if (!bin) throw new Error(consulMissingMessage());
    if (this.#ports.length === 0) this.#ports = await freePorts(5);
    if (!this.#dir) this.#dir = mkdtempSync(join(tmpdir(), 'attache-consul-'));
    const [http, server, serfLan, serfWan, https] = this.#ports;
    const hcl: string[] = [
      `ports { dns = -1, grpc = -1, grpc_tls = -1, https = ${this.#options.tls ? https : -1} }`,
    ];
    if (this.#options.httpMaxConnsPerClient) {
      hcl.push(`limits { http_max_conns_per_client = ${this.#options.httpMaxConnsPerClient} }`);
    }
    if (this.#options.managementToken) {
      hcl.push(
        `acl { enabled = true, default_policy = "deny", tokens { initial_management = "${this.#options.managementToken}" } }`,
      );
    }
    if (this.#options.tls) {
      for (const [name, text] of Object.entries(this.#options.tls))
        writeFileSync(join(this.#dir, `${name}.pem`), text);
      hcl.push(
        `tls { defaults { ca_file = "${join(this.#dir, 'ca.pem')}", cert_file = "${join(this.#dir, 'cert.pem')}", key_file = "${join(this.#dir, 'key.pem')}", verify_incoming = false } }`,
      );
    }
    const args = [
      'agent',
      '-dev',
      '-bind=127.0.0.1',
      '-client=127.0.0.1',
      `-datacenter=${this.datacenter}`,
      `-node=attache-test-${http}`,
      `-http-port=${http}`,
      `-server-port=${server}`,
      `-serf-lan-port=${serfLan}`,
      `-serf-wan-port=${serfWan}`,
      '-log-level=warn',
      ...hcl.map((h) => `-hcl=${h}`),
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    const keep = (chunk: Buffer) => {
      this.#log.push(chunk.toString());
      if (this.#log.length > 200) this.#log.splice(0, this.#log.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`consul exited (${child.exitCode}):\n${this.recentLog}`);
      const leader = await this.api('GET', '/v1/status/leader').catch(() => undefined);
      if (leader?.status === 200 && /"\d/.test(leader.body)) break;
      if (Date.now() > deadline) throw new Error(`consul did not elect a leader in 60 s:\n${this.recentLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The catalog answers before the agent has synced its own node; wait for that too.
    for (;;) {
      const nodes = await this.api('GET', '/v1/catalog/nodes').catch(() => undefined);
      if (nodes?.status === 200 && nodes.body.includes('attache-test-')) break;
      if (Date.now() > deadline) throw new Error(`consul did not list its node in 60 s:\n${this.recentLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the agent (SIGKILL: as a crash, no graceful leave). */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops it and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = '';
  }

  async register(instance: ConsulInstanceSpec): Promise<void> {
    const body: Record<string, unknown> = {
      ID: instance.id,
      Name: instance.name,
      Address: instance.address,
      Port: instance.port,
    };
    if (instance.ttlCheck) body.Check = { CheckID: `check-${instance.id}`, TTL: '10m', Status: 'passing' };
    await this.#ok('PUT', '/v1/agent/service/register', body);
  }

  async deregister(id: string): Promise<void> {
    await this.#ok('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
  }

  /** Flips the TTL check of an instance registered with `ttlCheck`. */
  async setCheck(id: string, state: 'pass' | 'warn' | 'fail'): Promise<void> {
    await this.#ok('PUT', `/v1/agent/check/${state}/check-${encodeURIComponent(id)}`);
  }

  /** Creates an ACL token with this policy (HCL rules); returns its secret. Needs managementToken. */
  async createToken(rules: string): Promise<string> {
    const name = `p-${Math.random().toString(36).slice(2, 10)}`;
    await this.#ok('PUT', '/v1/acl/policy', { Name: name, Rules: rules });
    const res = await this.#ok('PUT', '/v1/acl/token', { Policies: [{ Name: name }] });
    return (JSON.parse(res) as { SecretID: string }).SecretID;
  }

  async #ok(method: string, path: string, body?: unknown): Promise<string> {
    const res = await this.api(method, path, body);
    if (res.status !== 200) throw new Error(`consul ${method} ${path}: ${res.status} ${res.body}`);
    return res.body;
  }

  /** One request to the HTTP API (with the management token when ACLs are on). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (this.#options.managementToken) headers['x-consul-token'] = this.#options.managementToken;
    if (payload) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: this.httpPort, path, method, headers, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('consul API timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
