import type { Diagnostic, ResourceRef, StoredResource, XdsTypeUrl } from '@attache/core';

/**
 * Messages between the runtime and its compile worker. The worker rebuilds
 * the pipeline itself (plugins are code, not data): `pipelineModule` is a
 * module URL whose `createWorkerPipeline(pipelineData)` returns the same
 * pipeline the runtime was given.
 */
export interface CompileWorkerInit {
  pipelineModule: string;
  pipelineData?: unknown;
}

export type ToCompileWorker =
  /**
   * Input resources the worker does not hold yet, by id, in chunks (so the
   * runtime never spends long serialising at once); an unchanged resource
   * object is sent once and then named by its id.
   */
  | { kind: 'inputs'; chunk: Array<[number, StoredResource]> }
  | {
      kind: 'compile';
      id: number;
      /** The inputs of this compile, in order, by id; the worker forgets the others. */
      inputs: number[];
      groups: readonly string[];
      keepLastGood: boolean;
      /** The runtime's clock, for "invalid since". */
      now: string;
      /** Forget what was sent before: the result carries every resource's JSON and provenance. */
      resend: boolean;
    }
  /** Collect the worker's garbage and report its live heap (`heap`): for benches and logs. */
  | { kind: 'measure-heap' };

export type FromCompileWorker =
  | { kind: 'ready'; passes: string[] }
  | { kind: 'init-failed'; message: string }
  | {
      kind: 'result';
      id: number;
      groups: WireGroupResult[];
      compileMs: number;
      /** Time per pass id in this compile (every group), for the per-pass metrics. */
      passMs?: Record<string, number>;
    }
  /**
   * The worker's heap after a full GC: after a compile that left much garbage (sent after
   * its result, so collecting never delays a configuration), or on `measure-heap`.
   */
  | ({ kind: 'heap' } & WorkerHeap)
  | { kind: 'failed'; id: number; message: string }
  /** The worker and the runtime disagree on what was sent: the runtime starts over. */
  | { kind: 'failed-sync'; id: number; message: string };

export interface WorkerHeap {
  /** v8 used_heap_size after a full GC: the worker's live heap. */
  heapUsedBytes: number;
  /** v8 total_heap_size (capacity) and external_memory (off-heap). */
  heapTotalBytes: number;
  externalBytes: number;
}

/**
 * One group's result as a change to what the worker sent last time, so an edit
 * to one Mapping moves one resource, not the whole configuration: the
 * resources new or changed since (`changed`), and, per xDS type whose names
 * (in order) are not the same as last sent, the new list (`order`). A type
 * absent from `order` has the names it had; a name not in `changed` is the
 * resource sent before, unchanged.
 */
export interface WireGroupResult {
  group: string;
  diagnostics: Diagnostic[];
  /** The serial of the result this one changes (0: none, everything is in this one). */
  base: number;
  /** This result's serial (the next one's base). */
  serial: number;
  changed: WireResource[];
  order: Partial<Record<XdsTypeUrl, string[]>>;
}

/**
 * A resource new or changed since last sent; `json` (its JSON text) is left
 * out when the worker already sent this version of it, and `provenance` when
 * it is the same as last sent (a route table's provenance alone names
 * thousands). `byNameOnly` is given in full.
 */
export interface WireResource {
  typeUrl: XdsTypeUrl;
  name: string;
  version: string;
  provenance?: ResourceRef[];
  json?: string;
  byNameOnly?: true;
}
