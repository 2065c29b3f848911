import { Backoff, type Logger } from '@attache/core';
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { type KubeClient, KubeRequestError } from './kube-client.js';

export type InformerEvent = 'add' | 'update' | 'delete';

/**
 * A Watch that asks for bookmarks (so a resumed watch starts close to now
 * instead of replaying or hitting 410) and tells when a watch begins: the
 * ListWatch only starts watching after it has delivered a complete list.
 */
class BookmarkWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly onWatchStart: () => void,
  ) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.onWatchStart();
    return super.watch(path, { ...queryParams, allowWatchBookmarks: true }, callback, done);
  }
}

export interface SupervisedInformerOptions {
  client: KubeClient;
  path: string;
  apiVersion: string;
  kind: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  logger: Logger;
  backoff: { initialDelayMs: number; maxDelayMs: number };
  onEvent(event: InformerEvent, obj: KubernetesObject): void;
  /** Called once, after the first complete list has been delivered through onEvent. */
  onSynced(): void;
}

/**
 * A client-node informer (list, then watch from the list's resourceVersion;
 * a 410 relists) kept alive: the ListWatch gives up on any other error,
 * including an aborted connection ("Premature close"), so every error
 * schedules a restart with backoff. A restart resumes from the last
 * resourceVersion; only a 410 forces a full relist.
 */
export class SupervisedInformer {
  readonly #informer: ListWatch<KubernetesObject>;
  readonly #backoff: Backoff;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #synced = false;
  #failures = 0;

  constructor(private readonly opts: SupervisedInformerOptions) {
    this.#backoff = new Backoff(opts.backoff.initialDelayMs, opts.backoff.maxDelayMs);
    const watch = new BookmarkWatch(opts.client.kubeConfig, () => this.#onWatchStart());
    this.#informer = new ListWatch(
      opts.path,
      watch,
      () => this.#list(),
      false,
      opts.labelSelector,
      opts.fieldSelector,
    );
    this.#informer.on('add', (obj) => opts.onEvent('add', this.#typed(obj)));
    this.#informer.on('update', (obj) => opts.onEvent('update', this.#typed(obj)));
    this.#informer.on('delete', (obj) => opts.onEvent('delete', this.#typed(obj)));
    this.#informer.on('error', (err: unknown) => this.#onError(err));
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Objects currently known (the informer's cache). */
  list(): readonly KubernetesObject[] {
    return this.#informer.list().map((o) => this.#typed(o));
  }

  get(name: string, namespace?: string): KubernetesObject | undefined {
    const obj = this.#informer.get(name, namespace);
    return obj ? this.#typed(obj) : undefined;
  }

  start(): void {
    this.#stopped = false;
    this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#informer.stop();
  }

  #run(): void {
    this.#informer.start().catch((err: unknown) => this.#onError(err));
  }

  async #list(): Promise<KubernetesListObject<KubernetesObject>> {
    const params = new URLSearchParams();
    if (this.opts.labelSelector) params.set('labelSelector', this.opts.labelSelector);
    if (this.opts.fieldSelector) params.set('fieldSelector', this.opts.fieldSelector);
    const query = params.size ? `?${params.toString()}` : '';
    try {
      return await this.opts.client.request<KubernetesListObject<KubernetesObject>>(
        'GET',
        `${this.opts.path}${query}`,
      );
    } catch (err) {
      // A getambassador.io kind whose CRD is not installed is simply empty; keep
      // polling (through the failing watch and its backoff) until it appears.
      if (err instanceof KubeRequestError && err.statusCode === 404) {
        this.opts.logger.debug({ path: this.opts.path }, 'resource type not served; treating it as empty');
        return { apiVersion: this.opts.apiVersion, kind: `${this.opts.kind}List`, metadata: {}, items: [] };
      }
      throw err;
    }
  }

  #onWatchStart(): void {
    if (this.#failures > 0)
      this.opts.logger.info({ path: this.opts.path, failures: this.#failures }, 'watch resumed');
    this.#failures = 0;
    this.#backoff.reset();
    if (!this.#synced) {
      this.#synced = true;
      this.opts.onSynced();
    }
  }

  #onError(err: unknown): void {
    if (this.#stopped) return;
    this.#failures++;
    const delay = this.#backoff.next();
    const message = err instanceof Error ? err.message : String(err);
    const missingType = (err as { statusCode?: number } | undefined)?.statusCode === 404;
    const log = this.#failures === 1 && !missingType ? this.opts.logger.warn : this.opts.logger.debug;
    log.call(
      this.opts.logger,
      { path: this.opts.path, err: message, retryInMs: delay },
      'watch failed; restarting',
    );
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#run();
    }, delay);
  }

  /** List items from the server carry no apiVersion/kind for built-in types; the source needs both. */
  #typed(obj: KubernetesObject): KubernetesObject {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: this.opts.apiVersion, kind: this.opts.kind };
  }
}
