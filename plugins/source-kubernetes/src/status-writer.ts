import type { Diagnostic, Logger, ResourceRef, StatusReport } from '@attache/core';
import { resourceKey } from '@attache/core';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type KubeClient, KubeRequestError } from './kube-client.js';
import type { KubeProjection } from './kube-projection.js';
import { statusFromDiagnostics, statusToWrite } from './resource-status.js';
import { objectPath, watchedKinds } from './watched-kinds.js';
import type { RateLimitedWriteQueue } from './write-queue.js';

const mergePatch = 'application/merge-patch+json';

export interface StatusWriterOptions {
  client: KubeClient;
  projection: KubeProjection;
  queue: RateLimitedWriteQueue;
  logger: Logger;
  isLeader(): boolean;
  /** 'namespace/name' of the Service whose load balancer status Ingresses get. */
  statusService?: string | undefined;
}

/**
 * Writes compile results back as `status` on the getambassador.io objects the
 * source read from the cluster, and the load balancer address onto our
 * Ingresses. Only the leader writes, through the rate-limited queue, and
 * only when the status would change.
 */
export class StatusWriter {
  #lastReport = new Map<string, { ref: ResourceRef; diagnostics: readonly Diagnostic[] }>();
  #lastWritten = new Map<string, string>();

  constructor(private readonly opts: StatusWriterOptions) {}

  report(report: StatusReport): void {
    this.#lastReport = new Map(report.byResource);
    if (this.opts.isLeader()) this.#enqueueAll();
  }

  leadershipChanged(leading: boolean): void {
    if (leading) {
      this.#lastWritten.clear();
      this.#enqueueAll();
      this.refreshIngresses();
    } else {
      this.opts.queue.clear();
    }
  }

  /** Re-check the load balancer status of every Ingress we handle. */
  refreshIngresses(): void {
    if (!this.opts.statusService || !this.opts.isLeader()) return;
    for (const ingress of this.opts.projection.ourIngresses()) {
      const key = `Ingress/${ingress.metadata?.namespace ?? ''}/${ingress.metadata?.name ?? ''}`;
      this.opts.queue.enqueue(key, () => this.#writeIngress(key));
    }
  }

  #enqueueAll(): void {
    for (const [key, entry] of this.#lastReport) {
      if (!entry.ref.apiVersion.startsWith('getambassador.io/')) continue;
      this.opts.queue.enqueue(key, () => this.#writeResource(key));
    }
  }

  async #writeResource(key: string): Promise<boolean> {
    const entry = this.#lastReport.get(key);
    if (!entry || !this.opts.isLeader()) return false;
    const { ref } = entry;
    const kind = watchedKinds.find((k) => k.role === 'ambassador' && k.kind === ref.kind);
    const obj = this.opts.projection.object('ambassador', `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`) as
      | (KubernetesObject & { status?: unknown })
      | undefined;
    // Resources from annotations or Ingresses have no object of their own to carry a status.
    if (!kind || !obj) {
      this.#lastWritten.delete(key);
      return false;
    }
    const desired = statusFromDiagnostics(entry.diagnostics, obj.metadata?.generation);
    const next = statusToWrite(desired, obj.status, new Date());
    const fingerprint = JSON.stringify(desired);
    if (!next || this.#lastWritten.get(key) === fingerprint) return false;
    try {
      await this.opts.client.request(
        'PATCH',
        objectPath(
          { ...kind, apiVersion: obj.apiVersion ?? kind.apiVersion },
          ref.namespace,
          ref.name,
          'status',
        ),
        { status: next },
        mergePatch,
      );
      this.#lastWritten.set(key, fingerprint);
      this.opts.logger.debug({ resource: resourceKey(ref), state: next.state }, 'status written');
    } catch (err) {
      if (err instanceof KubeRequestError && err.statusCode === 404) return false;
      throw err;
    }
    return true;
  }

  async #writeIngress(key: string): Promise<boolean> {
    if (!this.opts.isLeader() || !this.opts.statusService) return false;
    const ingress = this.opts.projection.object('ingress', key) as
      | (KubernetesObject & { status?: unknown })
      | undefined;
    if (!ingress) return false;
    const [svcNs, svcName] = this.opts.statusService.split('/');
    const service = this.opts.projection.object('service', `Service/${svcNs ?? ''}/${svcName ?? ''}`) as
      | { status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } }
      | undefined;
    const lbIngress = (service?.status?.loadBalancer?.ingress ?? []).map((i) => ({
      ...(i.ip ? { ip: i.ip } : {}),
      ...(i.hostname ? { hostname: i.hostname } : {}),
    }));
    const current =
      (ingress.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress ?? [];
    if (JSON.stringify(current) === JSON.stringify(lbIngress)) return false;
    const kind = watchedKinds.find((k) => k.role === 'ingress');
    if (!kind) return false;
    try {
      await this.opts.client.request(
        'PATCH',
        objectPath(kind, ingress.metadata?.namespace, ingress.metadata?.name ?? '', 'status'),
        { status: { loadBalancer: { ingress: lbIngress } } },
        mergePatch,
      );
    } catch (err) {
      if (err instanceof KubeRequestError && err.statusCode === 404) return false;
      throw err;
    }
    return true;
  }
}
