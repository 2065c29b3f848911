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
    };

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
      /** The worker's heap after the compile and its full GC (v8 used_heap_size), for logs and the soak bench. */
      heapUsedBytes: number;
      /** The worker's heap capacity (v8 total_heap_size) and off-heap memory (external_memory). */
      heapTotalBytes: number;
      externalBytes: number;
    }
  | { kind: 'failed'; id: number; message: string }
  /** The worker and the runtime disagree on what was sent: the runtime starts over. */
  | { kind: 'failed-sync'; id: number; message: string };

export interface WireGroupResult {
  group: string;
  diagnostics: Diagnostic[];
  resources: WireResource[];
}

/**
 * An emitted resource; `json` (its JSON text) is left out when the worker
 * already sent this version of it, and `provenance` when it is the same as
 * last sent, so an edit to one Mapping moves one resource's text, not the
 * whole configuration (a route table's provenance alone names thousands).
 */
export interface WireResource {
  typeUrl: XdsTypeUrl;
  name: string;
  version: string;
  provenance?: ResourceRef[];
  json?: string;
  byNameOnly?: true;
}
