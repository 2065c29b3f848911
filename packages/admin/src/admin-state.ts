import type { Diagnostic, Snapshot, StoredResource } from '@attache/core';
import type { Registry } from 'prom-client';

/**
 * What the admin server shows, read on every request so it is never stale.
 * The runtime implements it over its last-good snapshot and its diagnostics;
 * the ADS sink contributes `streams`; whoever owns the metrics passes `metrics`.
 */
export interface AdminState {
  /**
   * The snapshot being served to a node group (default: the runtime's default
   * group), or undefined before the first compile finished (readyz is 503 until then).
   */
  snapshot(group?: string): Snapshot | undefined;
  /** Every current diagnostic: compile, source and feedback (NACK) diagnostics. */
  diagnostics(): readonly Diagnostic[];
  /**
   * Per-stream ADS state, returned as-is under /api/streams: core's `XdsStreamInfo` (node
   * id/cluster, group, subscribed type URLs, versions per type, last NACK). It comes from
   * another package at run time, so readers still check each entry (`asClientStreams`).
   */
  streams?(): readonly unknown[];
  /**
   * Application metrics (the runtime's, the ADS sink's…), read on every scrape
   * and served on /metrics merged with the default process metrics.
   */
  metrics?: Registry | readonly Registry[];
  /** The node groups (ambassador_ids) the runtime compiles for; default ['default']. */
  groups?(): readonly string[];
  /** The input resources in the store (resources by kind, the UI's resource tree). */
  inputs?(): readonly StoredResource[];
  /**
   * Sources that take part in a leader election (the Kubernetes source, for
   * status write-back): whether this replica leads. Every replica serves xDS
   * either way; without an election the list is empty.
   */
  leadership?(): ReadonlyArray<{ source: string; leading: boolean }>;
}
