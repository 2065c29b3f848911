import { randomUUID } from 'node:crypto';
import type { KubeObject, KubeResourceType } from './kube-resource-types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  resourceVersion: number;
  /** group/plural: storage is shared by every version of a type, as in etcd. */
  typeKey: string;
  type: WatchEventType;
  object: KubeObject;
}

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function typeKeyOf(t: Pick<KubeResourceType, 'group' | 'plural'>): string {
  return `${t.group}/${t.plural}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * The fake API server's etcd: objects by type, one global resourceVersion
 * counter, and a bounded event history that watches replay from. Events older
 * than the history are "compacted": a watch asking for them gets 410 Gone.
 */
export class KubeFakeStore {
  #rv = 1;
  #objects = new Map<string, Map<string, KubeObject>>();
  #history: StoredEvent[] = [];
  /** Watches may resume from any resourceVersion >= this. */
  #oldestResumable = 1;
  #listeners = new Set<(event: StoredEvent) => void>();

  constructor(private readonly historyLimit = 10_000) {}

  get resourceVersion(): number {
    return this.#rv;
  }

  get oldestResumable(): number {
    return this.#oldestResumable;
  }

  /** Forget all history: every resourceVersion older than now becomes "too old" (410 Gone). */
  compact(): void {
    this.#history = [];
    this.#oldestResumable = this.#rv;
  }

  list(typeKey: string, namespace?: string): KubeObject[] {
    const byKey = this.#objects.get(typeKey);
    if (!byKey) return [];
    const items = [...byKey.values()].filter(
      (o) => namespace === undefined || o.metadata.namespace === namespace,
    );
    items.sort((a, b) => {
      const ka = objectKey(a.metadata.namespace, a.metadata.name ?? '');
      const kb = objectKey(b.metadata.namespace, b.metadata.name ?? '');
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    return items.map(clone);
  }

  get(typeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.#objects.get(typeKey)?.get(objectKey(namespace, name));
    return obj ? clone(obj) : undefined;
  }

  create(typeKey: string, obj: KubeObject): KubeObject {
    const meta = obj.metadata;
    const name =
      meta.name ?? (meta.generateName ? `${meta.generateName}${randomUUID().slice(0, 5)}` : undefined);
    if (!name)
      throw new KubeApiError(
        422,
        'Invalid',
        'metadata.name: Required value: name or generateName is required',
      );
    const byKey = this.#objects.get(typeKey) ?? new Map<string, KubeObject>();
    this.#objects.set(typeKey, byKey);
    const key = objectKey(meta.namespace, name);
    if (byKey.has(key))
      throw new KubeApiError(409, 'AlreadyExists', `${typeKey.split('/')[1]} "${name}" already exists`);
    const stored = clone(obj);
    stored.metadata = {
      ...stored.metadata,
      name,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    delete stored.metadata.generateName;
    return this.#commit(typeKey, byKey, key, stored, 'ADDED');
  }

  /**
   * Replace an object. `expectedVersion` gives optimistic concurrency (409 on
   * mismatch); `keepStatus`/`onlyStatus` give the status subresource split.
   */
  update(
    typeKey: string,
    obj: KubeObject,
    opts: { expectedVersion?: string; keepStatus?: boolean; onlyStatus?: boolean },
  ): KubeObject {
    const name = obj.metadata.name ?? '';
    const byKey = this.#objects.get(typeKey);
    const key = objectKey(obj.metadata.namespace, name);
    const current = byKey?.get(key);
    if (!byKey || !current)
      throw new KubeApiError(404, 'NotFound', `${typeKey.split('/')[1]} "${name}" not found`);
    if (opts.expectedVersion && opts.expectedVersion !== current.metadata.resourceVersion) {
      throw new KubeApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${typeKey.split('/')[1]} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    let next: KubeObject;
    if (opts.onlyStatus) {
      next = { ...clone(current), status: clone(obj.status) };
    } else {
      next = clone(obj);
      if (opts.keepStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      next.metadata = {
        ...next.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        generation: current.metadata.generation,
      };
      if (JSON.stringify(specOf(next)) !== JSON.stringify(specOf(current))) {
        next.metadata.generation = (current.metadata.generation ?? 1) + 1;
      }
    }
    return this.#commit(typeKey, byKey, key, next, 'MODIFIED');
  }

  delete(typeKey: string, namespace: string | undefined, name: string): KubeObject {
    const byKey = this.#objects.get(typeKey);
    const key = objectKey(namespace, name);
    const current = byKey?.get(key);
    if (!byKey || !current)
      throw new KubeApiError(404, 'NotFound', `${typeKey.split('/')[1]} "${name}" not found`);
    byKey.delete(key);
    const rv = ++this.#rv;
    const gone = clone(current);
    gone.metadata.resourceVersion = String(rv);
    this.#record({ resourceVersion: rv, typeKey, type: 'DELETED', object: gone });
    return clone(gone);
  }

  /** Events after `resourceVersion` for one type, or undefined when that point was compacted away. */
  eventsSince(typeKey: string, resourceVersion: number): StoredEvent[] | undefined {
    if (resourceVersion < this.#oldestResumable) return undefined;
    return this.#history
      .filter((e) => e.typeKey === typeKey && e.resourceVersion > resourceVersion)
      .map(clone);
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #commit(
    typeKey: string,
    byKey: Map<string, KubeObject>,
    key: string,
    obj: KubeObject,
    type: WatchEventType,
  ): KubeObject {
    const rv = ++this.#rv;
    obj.metadata.resourceVersion = String(rv);
    byKey.set(key, obj);
    this.#record({ resourceVersion: rv, typeKey, type, object: clone(obj) });
    return clone(obj);
  }

  #record(event: StoredEvent): void {
    this.#history.push(event);
    if (this.#history.length > this.historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.historyLimit);
      const last = dropped[dropped.length - 1];
      if (last) this.#oldestResumable = last.resourceVersion;
    }
    for (const listener of this.#listeners) listener(clone(event));
  }
}

/** What counts as "spec" for generation bumps: everything but metadata and status. */
function specOf(obj: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}
