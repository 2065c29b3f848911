import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Source, SourceContext, StatusReport } from '@attache/core';
import type { KubernetesSourceConfig } from './config.js';
import { KubeClient, loadKubeConfig } from './kube-client.js';
import { KubeProjection } from './kube-projection.js';
import { LeaseElector } from './lease-elector.js';
import { StatusWriter } from './status-writer.js';
import { SupervisedInformer } from './supervised-informer.js';
import { collectionPath, type WatchedKind, watchedKinds } from './watched-kinds.js';
import { RateLimitedWriteQueue } from './write-queue.js';

const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function podNamespace(): string | undefined {
  try {
    return readFileSync(serviceAccountNamespaceFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Kubernetes source: one supervised informer per watched kind feeding the
 * projection (which writes the store), `synced()` once every informer has
 * listed, and status write-back from the leader.
 */
export class KubernetesSource implements Source {
  readonly #informers: SupervisedInformer[] = [];
  readonly #projection: KubeProjection;
  readonly #queue: RateLimitedWriteQueue;
  readonly #statusWriter: StatusWriter;
  readonly #elector: LeaseElector | undefined;
  readonly #client: KubeClient;
  #leading: boolean;

  constructor(
    private readonly ctx: SourceContext<KubernetesSourceConfig>,
    client?: KubeClient,
  ) {
    const config = ctx.config;
    // A relative kubeconfig path is relative to attache.yaml, like every other path in it.
    const kubeconfig = config.kubeconfig ? resolve(ctx.baseDir, config.kubeconfig) : undefined;
    this.#client = client ?? new KubeClient(loadKubeConfig({ kubeconfig, context: config.context }));
    this.#projection = new KubeProjection({
      store: ctx.store,
      ambassadorIds: config.ambassadorIds,
      ingressClassName: config.ingressClass ?? 'ambassador',
      logger: ctx.logger,
    });
    this.#queue = new RateLimitedWriteQueue(config.statusRateLimitPerSecond ?? 10, (key, err) =>
      ctx.logger.warn(
        { resource: key, err: err instanceof Error ? err.message : String(err) },
        'status write failed',
      ),
    );
    const election = config.leaderElection;
    this.#leading = !election?.enabled;
    this.#statusWriter = new StatusWriter({
      client: this.#client,
      projection: this.#projection,
      queue: this.#queue,
      logger: ctx.logger,
      isLeader: () => this.#leading,
      statusService: config.statusService,
    });
    if (election?.enabled) {
      this.#elector = new LeaseElector({
        client: this.#client,
        namespace: election.leaseNamespace ?? podNamespace() ?? 'default',
        name: election.leaseName ?? 'attache-status',
        identity: election.identity ?? process.env.POD_NAME ?? hostname(),
        leaseDurationSeconds: election.leaseDurationSeconds ?? 15,
        retryPeriodMs: (election.retryPeriodSeconds ?? 2) * 1000,
        logger: ctx.logger,
        onLeadershipChange: (leading) => {
          this.#leading = leading;
          this.#statusWriter.leadershipChanged(leading);
        },
      });
    }
  }

  /** Whether this replica writes status now (tests, admin). */
  get leading(): boolean {
    return this.#leading;
  }

  /** Resolves when queued status writes are done (tests). */
  statusIdle(): Promise<void> {
    return this.#queue.idle();
  }

  async start(): Promise<void> {
    const config = this.ctx.config;
    let unsynced = watchedKinds.length;
    for (const kind of watchedKinds) {
      const informer = new SupervisedInformer({
        client: this.#client,
        path: this.#pathFor(kind),
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        labelSelector: kind.selectable ? config.labelSelector : undefined,
        fieldSelector: kind.selectable ? config.fieldSelector : this.#namespaceFieldSelector(kind),
        logger: this.ctx.logger.child({ watch: kind.kind }),
        backoff: {
          initialDelayMs: config.retry?.initialDelayMs ?? 500,
          maxDelayMs: config.retry?.maxDelayMs ?? 30_000,
        },
        onEvent: (event, obj) => {
          this.#projection.apply(kind, event, obj);
          if (kind.role === 'ingress' || kind.role === 'ingressclass' || kind.role === 'service') {
            this.#statusWriter.refreshIngresses();
          }
        },
        onSynced: () => {
          unsynced--;
          if (unsynced === 0) {
            this.ctx.logger.info(
              { kinds: watchedKinds.length },
              'initial list of every watched kind complete',
            );
            this.ctx.store.synced();
          }
        },
      });
      this.#informers.push(informer);
    }
    for (const informer of this.#informers) informer.start();
    this.#elector?.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.stop()));
    this.#queue.stop();
    await this.#elector?.stop();
  }

  status(report: StatusReport): void {
    this.#statusWriter.report(report);
  }

  #pathFor(kind: WatchedKind): string {
    return collectionPath(kind, this.ctx.config.namespace);
  }

  /** With a single watched namespace, the Namespace watch narrows to that one object. */
  #namespaceFieldSelector(kind: WatchedKind): string | undefined {
    const ns = this.ctx.config.namespace;
    return kind.role === 'namespace' && ns ? `metadata.name=${ns}` : undefined;
  }
}
