import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  compareStrings,
  type DiagnosticInput,
  kindOf,
  type Source,
  type SourceContext,
  type StoredResource,
} from '@attache/core';
import type { ConsulSourceConfig } from './config.js';
import type { AgentConnection, ConsulInstance } from './consul-client.js';
import { ServiceWatcher } from './service-watcher.js';
import { type ServiceWatch, watchSet } from './watch-set.js';

/** What the source writes per watched service; the http plugin reads this shape. */
export const consulEndpointsApiVersion = 'attache.io/v1alpha1';
export const consulEndpointsKind = 'ConsulEndpoints';

interface Watched {
  watcher: ServiceWatcher;
  /** The last answer's resource: kept, with a diagnostic, while the agent is unreachable. */
  lastGood: StoredResource | undefined;
  /** What was last written (to skip writes that change nothing while retrying). */
  written: string | undefined;
  /** The last query failed (for one log line per outage, not per retry). */
  failing?: boolean;
}

/**
 * Watches, in Consul, exactly the services that Mappings resolve through a
 * ConsulResolver (read from the store's other inputs, recomputed when they
 * change) and writes one `attache.io/v1alpha1 ConsulEndpoints` per service:
 * an instance that comes, goes or fails its checks changes that resource alone,
 * so the compile changes one ClusterLoadAssignment and nothing else.
 */
export class ConsulSource implements Source {
  readonly #ctx: SourceContext<ConsulSourceConfig>;
  readonly #watched = new Map<string, Watched>();
  #unsubscribe: (() => void) | undefined;
  #recompute: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #token: string | undefined;
  #tokenProblem: DiagnosticInput | undefined;
  readonly #tls: AgentConnection['tls'];

  constructor(ctx: SourceContext<ConsulSourceConfig>) {
    this.#ctx = ctx;
    const tls = ctx.config.tls;
    const read = (file: string | undefined) =>
      file ? readFileSync(resolve(ctx.baseDir, file), 'utf8') : undefined;
    this.#tls = tls
      ? {
          ...(tls.caFile ? { ca: read(tls.caFile) } : {}),
          ...(tls.certFile ? { cert: read(tls.certFile) } : {}),
          ...(tls.keyFile ? { key: read(tls.keyFile) } : {}),
          ...(tls.serverName ? { serverName: tls.serverName } : {}),
        }
      : undefined;
  }

  async start(): Promise<void> {
    const inputs = this.#ctx.inputs;
    if (!inputs) {
      this.#ctx.logger.warn('no store view from the runtime: the Consul source watches nothing');
      this.#ctx.store.synced();
      return;
    }
    // Subscribe first: another source may store the Mappings while this one starts.
    this.#unsubscribe = inputs.onChange(() => {
      // Many writes come in bursts (a file reload, a Kubernetes relist): look once they settle.
      if (this.#recompute || this.#stopped) return;
      this.#recompute = setTimeout(() => {
        this.#recompute = undefined;
        if (!this.#stopped) this.#update();
      }, 50);
    });
    this.#update();
    const timeout = this.#ctx.config.syncTimeoutMs ?? 10000;
    await Promise.race([
      Promise.all([...this.#watched.values()].map((w) => w.watcher.answered)),
      new Promise((r) => setTimeout(r, timeout).unref()),
    ]);
    this.#ctx.store.synced();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#recompute) clearTimeout(this.#recompute);
    await Promise.all([...this.#watched.values()].map((w) => w.watcher.stop()));
    this.#watched.clear();
  }

  /** The services being watched now (tests and the docs' example read it). */
  watching(): string[] {
    return [...this.#watched.keys()].sort(compareStrings);
  }

  /** Brings the watchers in line with the Mappings and resolvers in the store. */
  #update(): void {
    const resources = this.#ctx.inputs!.resources();
    const tokenChanged = this.#readToken(resources);
    const wanted = watchSet(resources);
    for (const [key, w] of [...this.#watched]) {
      const next = wanted.get(key);
      if (!tokenChanged && next && next.address === w.watcher.watch.address) continue;
      void w.watcher.stop();
      this.#watched.delete(key);
      if (next) this.#startWatch(next, w.lastGood);
      else this.#ctx.store.replace(key, []);
    }
    for (const [key, watch] of wanted) {
      if (this.#watched.has(key)) continue;
      this.#startWatch(watch, undefined);
    }
  }

  #startWatch(watch: ServiceWatch, lastGood: StoredResource | undefined): void {
    const entry: Watched = { watcher: undefined as unknown as ServiceWatcher, lastGood, written: undefined };
    const write = (resources: StoredResource[], diagnostics: DiagnosticInput[]) => {
      if (this.#watched.get(watch.key) !== entry || this.#stopped) return; // a replaced or stopped watch
      const all = this.#tokenProblem ? [...diagnostics, this.#tokenProblem] : diagnostics;
      const text = JSON.stringify([resources.map((r) => r.resource), all]);
      if (text === entry.written) return;
      entry.written = text;
      this.#ctx.store.replace(watch.key, resources, all);
    };
    entry.watcher = new ServiceWatcher(
      watch,
      () => this.#connection(watch.address),
      {
        waitSeconds: this.#ctx.config.waitSeconds ?? 300,
        backoff: {
          initialMs: this.#ctx.config.backoff?.initialMs ?? 250,
          maxMs: this.#ctx.config.backoff?.maxMs ?? 10000,
        },
      },
      {
        instances: (instances, skipped, filteredByAcls) => {
          entry.lastGood = this.#resourceFor(watch, instances);
          const diagnostics: DiagnosticInput[] = skipped.map((s) => ({
            code: 'CONSUL_INSTANCE_ADDRESS_INVALID',
            severity: 'warning',
            resource: watch.resolver,
            message: `Consul instance ${s} of service ${watch.service} (datacenter ${watch.datacenter}) has no IP address; Envoy needs one, so it is left out: register it with an IP Address`,
          }));
          if (filteredByAcls) {
            diagnostics.push({
              code: 'CONSUL_RESULTS_FILTERED',
              resource: watch.resolver,
              message: `Consul hid instances of ${watch.service} (datacenter ${watch.datacenter}) that the ACL token may not read, so they get no traffic; give the source a token with service:read and node:read (sources.consul.token)`,
            });
          }
          if (entry.failing) {
            entry.failing = false;
            this.#ctx.logger.info(
              { service: watch.key, agent: watch.address },
              'consul answers again: resynced',
            );
          }
          write([entry.lastGood], diagnostics);
        },
        failure: (answer) => {
          const what =
            answer.kind === 'unreachable'
              ? `Consul agent ${watch.address} is unreachable (${answer.message})`
              : `Consul agent ${watch.address} refused the health query for ${watch.service} in datacenter ${watch.datacenter} (${answer.message})`;
          const fix =
            answer.status === 403
              ? 'give the source an ACL token with service:read (sources.consul.token)'
              : answer.kind === 'unreachable'
                ? 'check the ConsulResolver address and the agent; the source reconnects with backoff'
                : 'check the datacenter name and the agent';
          // The runtime logs the diagnostic once when it appears; retries stay quiet.
          if (!entry.failing) {
            entry.failing = true;
            this.#ctx.logger.debug(
              { service: watch.key, agent: watch.address, problem: answer.message },
              'consul query failed',
            );
          }
          write(entry.lastGood ? [entry.lastGood] : [], [
            {
              code: answer.kind === 'unreachable' ? 'CONSUL_AGENT_UNREACHABLE' : 'CONSUL_QUERY_FAILED',
              resource: watch.resolver,
              path: '/spec/address',
              message: `${what}; ${entry.lastGood ? 'the last known endpoints keep serving' : 'no endpoints are known yet'}; ${fix}`,
            },
          ]);
        },
      },
    );
    this.#watched.set(watch.key, entry);
    entry.watcher.start();
  }

  #resourceFor(watch: ServiceWatch, instances: ConsulInstance[]): StoredResource {
    return {
      resource: {
        apiVersion: consulEndpointsApiVersion,
        kind: consulEndpointsKind,
        metadata: { name: `${watch.datacenter}.${watch.service}` },
        spec: {
          datacenter: watch.datacenter,
          service: watch.service,
          endpoints: instances.map((i) => ({ address: i.address, port: i.port, id: i.id, node: i.node })),
        },
      },
      origin: {
        source: 'source-consul',
        file: `consul://${watch.address}/v1/health/service/${watch.service}?dc=${watch.datacenter}`,
      },
    };
  }

  #connection(address: string): AgentConnection {
    const config = this.#ctx.config;
    const conn: AgentConnection = {
      scheme: config.scheme ?? (config.tls ? 'https' : 'http'),
      address: config.addresses?.[address] ?? address,
    };
    if (this.#token) conn.token = this.#token;
    if (this.#tls) conn.tls = this.#tls;
    return conn;
  }

  /** The ACL token: the Secret when configured, else the environment. True when it changed. */
  #readToken(resources: readonly StoredResource[]): boolean {
    const config = this.#ctx.config.token;
    let token: string | undefined;
    let problem: DiagnosticInput | undefined;
    if (config?.secret) {
      const { name, namespace = 'default', key = 'token' } = config.secret;
      const secret = resources.find(
        (r) =>
          kindOf(r.resource) === 'Secret' &&
          r.resource.metadata.name === name &&
          (r.resource.metadata.namespace ?? 'default') === namespace,
      );
      const data = secret?.resource.data?.[key];
      const stringData = (secret?.resource.stringData as Record<string, unknown> | undefined)?.[key];
      if (typeof data === 'string') token = Buffer.from(data, 'base64').toString('utf8').trim();
      else if (typeof stringData === 'string') token = stringData.trim();
      else {
        problem = {
          code: 'CONSUL_TOKEN_SECRET_MISSING',
          resource: { apiVersion: 'v1', kind: 'Secret', namespace, name },
          message: `Secret ${namespace}/${name} ${secret ? `has no data key '${key}'` : 'does not exist'}; Consul queries go without an ACL token until it does: create it, or fix sources.consul.token.secret`,
        };
      }
    } else {
      const env = config?.env ?? 'CONSUL_HTTP_TOKEN';
      const value = process.env[env];
      if (value) token = value.trim();
    }
    const changed = token !== this.#token || JSON.stringify(problem) !== JSON.stringify(this.#tokenProblem);
    this.#token = token;
    this.#tokenProblem = problem;
    return changed;
  }
}
