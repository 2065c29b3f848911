import type { TSchema } from '@sinclair/typebox';
import type { Diagnostic, DiagnosticInput } from './diagnostics.js';
import type { PlainJsonSchema } from './json-schema-config.js';
import type { ResourceRef, StoredResource } from './resource.js';
import type { Snapshot } from './snapshot.js';

/**
 * The contracts between the runtime and the plugins that do I/O. Plugins only
 * declare factories; the runtime creates, starts and stops them.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** How a source feeds the store. A partition is the unit a source replaces at once (a file, a watch). */
export interface StoreWriter {
  /** Replace everything this source holds under `partition`, with the source's own diagnostics for it. */
  replace(
    partition: string,
    resources: readonly StoredResource[],
    diagnostics?: readonly DiagnosticInput[],
  ): void;
  upsert(partition: string, resource: StoredResource): void;
  delete(partition: string, ref: Pick<ResourceRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): void;
  /** The source has delivered its initial state; nothing is published before every source is synced. */
  synced(): void;
}

/**
 * A read-only view of the store's contents, every source's resources together.
 * For a source whose watch set follows other inputs: a Consul source watches
 * exactly the services that Mappings resolve through a ConsulResolver.
 */
export interface StoreView {
  /** Every stored resource now (a fresh array: call it once per change, not per item). */
  resources(): readonly StoredResource[];
  /** Called after every store write, its own included (debounce on your side); returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

export interface SourceContext<C = unknown> {
  config: C;
  logger: Logger;
  store: StoreWriter;
  /** Directory relative paths resolve against (the config file's directory). */
  baseDir: string;
  /** What every source has stored (given by the runtime; absent where a host gives none). */
  inputs?: StoreView;
}

export interface Source {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Optional: receive compile results for the resources this source owns (status write-back). */
  status?(report: StatusReport): void;
}

export interface SourceFactory<C = unknown> {
  /** Key under `sources:` in attache.yaml, e.g. 'file', 'kubernetes'. */
  type: string;
  /** TypeBox or plain JSON Schema, as a plugin's `configSchema`. */
  configSchema?: TSchema | PlainJsonSchema;
  create(ctx: SourceContext<C>): Source;
}

/** Feedback from delivery (Envoy NACKs) back onto input resources. */
export interface Feedback {
  /**
   * A resource was rejected by a client; the runtime maps it to input resources through provenance.
   * `versions` gives the content hash of each rejected resource as it was sent ('' for a removal):
   * the rejection stops applying once the group's resource has another version.
   */
  rejected(event: {
    group: string;
    typeUrl: string;
    resourceNames: string[];
    message: string;
    client: string;
    versions?: Readonly<Record<string, string>>;
    /** Rejected resources the sink made from the snapshot's own (VHDS VirtualHosts), by name. */
    derived?: Readonly<Record<string, DerivedResource>>;
  }): void;
  /** A previously rejected type was accepted again by that client. */
  accepted(event: { group: string; typeUrl: string; client: string }): void;
  /** The client's last stream closed: its rejections belong to nobody any more. */
  disconnected?(event: { group: string; client: string }): void;
}

/**
 * A resource a sink derived from a snapshot resource (a VHDS VirtualHost is a
 * part of a RouteConfiguration), which the snapshot does not list.
 */
export interface DerivedResource {
  /** The input resources behind it. */
  provenance: readonly ResourceRef[];
  /** Its version (content hash) as the sink derives it from `snapshot`; undefined when that snapshot has no such resource. */
  versionIn(snapshot: Snapshot): string | undefined;
}

/** Status write-back: what the runtime tells sources that own status (Kubernetes). */
export interface StatusReport {
  /** Per input resource key: its diagnostics (empty means accepted). */
  byResource: ReadonlyMap<string, { ref: ResourceRef; diagnostics: readonly Diagnostic[] }>;
}

export interface SinkContext<C = unknown> {
  config: C;
  logger: Logger;
  feedback: Feedback;
  baseDir: string;
}

export interface Sink {
  start(): Promise<void>;
  /** Called with every new snapshot (and once with the first complete one). */
  publish(snapshot: Snapshot): Promise<void> | void;
  stop(): Promise<void>;
}

export interface SinkFactory<C = unknown> {
  /** Key under `sinks:` in attache.yaml, e.g. 'file', 'ads'. */
  type: string;
  /** TypeBox or plain JSON Schema, as a plugin's `configSchema`. */
  configSchema?: TSchema | PlainJsonSchema;
  create(ctx: SinkContext<C>): Sink;
}
