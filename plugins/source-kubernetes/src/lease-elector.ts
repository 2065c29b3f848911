import type { Logger } from '@attache/core';
import { type KubeClient, KubeRequestError } from './kube-client.js';

export interface LeaseElectorOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  retryPeriodMs: number;
  logger: Logger;
  onLeadershipChange(leading: boolean): void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io Lease, the way client-go does it:
 * acquire when the lease is free or its holder stopped renewing, renew every
 * retry period, and use the server's optimistic concurrency (resourceVersion)
 * so two replicas can never both win. Expiry is judged by when *we* last saw
 * the record change, not by the holder's clock.
 */
export class LeaseElector {
  #leading = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #observed: { record: string; at: number } | undefined;
  #lastRenew = 0;

  constructor(private readonly opts: LeaseElectorOptions) {}

  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#stopped = false;
    void this.#tick();
  }

  /** Stop trying; release the lease if we hold it so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (!this.#leading) return;
    this.#setLeading(false);
    try {
      const lease = await this.#get();
      if (lease?.spec.holderIdentity === this.opts.identity) {
        lease.spec = {
          ...lease.spec,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        };
        await this.opts.client.request('PUT', this.#path(), lease);
      }
    } catch (err) {
      this.opts.logger.debug({ err: String(err) }, 'could not release the lease');
    }
  }

  async #tick(): Promise<void> {
    try {
      const acquired = await this.#tryAcquireOrRenew();
      if (acquired) this.#lastRenew = Date.now();
      this.#setLeading(
        acquired ||
          (this.#leading && Date.now() - this.#lastRenew < this.opts.leaseDurationSeconds * 1000 * 0.8),
      );
    } catch (err) {
      this.opts.logger.debug({ err: String(err) }, 'lease renewal failed');
      // Keep leading only while our last renewal is surely still valid.
      if (this.#leading && Date.now() - this.#lastRenew >= this.opts.leaseDurationSeconds * 1000 * 0.8)
        this.#setLeading(false);
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.opts.retryPeriodMs);
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const lease = await this.#get();
    if (!lease) {
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: {
          holderIdentity: this.opts.identity,
          leaseDurationSeconds: this.opts.leaseDurationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      return this.#write('POST', fresh);
    }
    const record = JSON.stringify(lease.spec);
    if (this.#observed?.record !== record) this.#observed = { record, at: Date.now() };
    const holder = lease.spec.holderIdentity;
    const duration = (lease.spec.leaseDurationSeconds ?? this.opts.leaseDurationSeconds) * 1000;
    const expired = this.#observed.at + duration < Date.now();
    if (holder && holder !== this.opts.identity && !expired) return false;
    const takingOver = holder !== this.opts.identity;
    lease.spec = {
      ...lease.spec,
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: this.opts.leaseDurationSeconds,
      renewTime: microTime(now),
      ...(takingOver
        ? {
            acquireTime: microTime(now),
            leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
          }
        : {}),
    };
    return this.#write('PUT', lease);
  }

  async #write(method: 'POST' | 'PUT', lease: Lease): Promise<boolean> {
    try {
      const path = method === 'POST' ? this.#path(false) : this.#path();
      const written = await this.opts.client.request<Lease>(method, path, lease);
      this.#observed = { record: JSON.stringify(written.spec), at: Date.now() };
      return true;
    } catch (err) {
      // Someone else wrote first: they win this round.
      if (err instanceof KubeRequestError && (err.statusCode === 409 || err.statusCode === 422)) return false;
      throw err;
    }
  }

  async #get(): Promise<Lease | undefined> {
    try {
      return await this.opts.client.request<Lease>('GET', this.#path());
    } catch (err) {
      if (err instanceof KubeRequestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  #path(withName = true): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`;
    return withName ? `${base}/${this.opts.name}` : base;
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.opts.logger.info(
      { lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity },
      leading ? 'became leader' : 'stopped leading',
    );
    this.opts.onLeadershipChange(leading);
  }
}
