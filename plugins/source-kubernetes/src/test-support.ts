import type { DiagnosticInput, Logger, StoredResource, StoreWriter } from '@attache/core';
import { keyOfResource } from '@attache/core';

/** A StoreWriter that keeps the contents, as the runtime's store would, and counts calls. */
export class RecordingStore implements StoreWriter {
  readonly partitions = new Map<string, { resources: StoredResource[]; diagnostics: DiagnosticInput[] }>();
  isSynced = false;
  writes = 0;

  replace(
    partition: string,
    resources: readonly StoredResource[],
    diagnostics: readonly DiagnosticInput[] = [],
  ): void {
    this.writes++;
    this.partitions.set(partition, { resources: [...resources], diagnostics: [...diagnostics] });
  }

  upsert(partition: string, resource: StoredResource): void {
    this.writes++;
    const p = this.partitions.get(partition) ?? { resources: [], diagnostics: [] };
    p.resources = [
      ...p.resources.filter((r) => keyOfResource(r.resource) !== keyOfResource(resource.resource)),
      resource,
    ];
    this.partitions.set(partition, p);
  }

  delete(
    partition: string,
    ref: { apiVersion: string; kind: string; namespace?: string; name: string },
  ): void {
    this.writes++;
    const p = this.partitions.get(partition);
    if (p)
      p.resources = p.resources.filter(
        (r) =>
          keyOfResource(r.resource) !==
          keyOfResource({
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
          }),
      );
  }

  synced(): void {
    this.isSynced = true;
  }

  all(): StoredResource[] {
    return [...this.partitions.values()].flatMap((p) => p.resources);
  }

  diagnostics(): DiagnosticInput[] {
    return [...this.partitions.values()].flatMap((p) => p.diagnostics);
  }

  /** 'Kind ns/name' of every stored resource, sorted. */
  names(): string[] {
    return this.all()
      .map((r) => `${r.resource.kind} ${r.resource.metadata.namespace ?? ''}/${r.resource.metadata.name}`)
      .sort();
  }

  find(kind: string, name: string): StoredResource | undefined {
    return this.all().find((r) => r.resource.kind === kind && r.resource.metadata.name === name);
  }
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** Poll until `check` passes (it throws until then); event-driven code under test gives no other hook. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw lastError;
}
