import { apiGroup, TypeUrl } from '@attache/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdminState } from './admin-state.js';
import { asClientStreams, shortTypeName } from './client-stream.js';
import type { CycleRecord } from './cycle-record.js';

const typeNames = Object.fromEntries(Object.entries(TypeUrl).map(([name, url]) => [url, name]));

/** Compile cycles take from a millisecond (a few resources) to tens of seconds (10,000 Mappings on a busy machine). */
const durationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ControlPlaneMetrics {
  readonly registry: Registry;
  /** A finished compile cycle: its duration, per-pass times, publishes and the watch lag of its sources. */
  cycleFinished(cycle: CycleRecord, lags: ReadonlyMap<string, number>): void;
}

/**
 * The control plane's own metrics. Counters and histograms are fed by
 * cycleFinished(); gauges are computed from the admin state on each scrape,
 * so they never drift from what the UI and the JSON API show.
 */
export function createControlPlaneMetrics(state: AdminState): ControlPlaneMetrics {
  const registry = new Registry();
  const registers = [registry];

  const compileDuration = new Histogram({
    name: 'attache_compile_duration_seconds',
    help: 'Compile time of a cycle (every node group), in the compile worker when there is one',
    buckets: durationBuckets,
    registers,
  });
  const passSeconds = new Counter({
    name: 'attache_compile_pass_seconds_total',
    help: 'Time spent in each compiler pass, summed over compiles',
    labelNames: ['pass'],
    registers,
  });
  const passLast = new Gauge({
    name: 'attache_compile_pass_last_seconds',
    help: 'Time spent in each compiler pass in the last compile',
    labelNames: ['pass'],
    registers,
  });
  const publishes = new Counter({
    name: 'attache_snapshot_publishes_total',
    help: 'Snapshots handed to the sinks (a new version), by node group',
    labelNames: ['group'],
    registers,
  });
  const watchLag = new Histogram({
    name: 'attache_watch_lag_seconds',
    help: "Time from a source's write into the store (a file read, a watch event) to the end of the compile cycle that includes it (debounce + compile + publish): per cycle, the earliest write it read",
    labelNames: ['source'],
    buckets: durationBuckets,
    registers,
  });

  new Gauge({
    name: 'attache_snapshot_serial',
    help: 'Serial of the current snapshot, by node group (bumped on every new version)',
    labelNames: ['group'],
    registers,
    collect() {
      this.reset();
      for (const snapshot of snapshots(state)) this.set({ group: snapshot.group }, snapshot.serial);
    },
  });
  new Gauge({
    name: 'attache_snapshot_info',
    help: 'The current snapshot version (content hash) by node group; always 1',
    labelNames: ['group', 'version'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots(state)) this.set({ group: s.group, version: s.version }, 1);
    },
  });
  new Gauge({
    name: 'attache_envoy_resources',
    help: 'Envoy resources in the current snapshot, by node group and type',
    labelNames: ['group', 'type'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots(state)) {
        for (const [url, list] of Object.entries(s.resources)) {
          this.set({ group: s.group, type: typeNames[url] ?? shortTypeName(url) }, list.length);
        }
      }
    },
  });
  new Gauge({
    name: 'attache_input_resources',
    help: 'Input resources in the store, by API group and kind (before admission: duplicates and invalid ones count)',
    labelNames: ['api_group', 'kind'],
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, { api_group: string; kind: string; n: number }>();
      for (const { resource } of state.inputs?.() ?? []) {
        const group = typeof resource?.apiVersion === 'string' ? apiGroup(resource.apiVersion) : '';
        const kind = typeof resource?.kind === 'string' ? resource.kind : '';
        const key = `${group}/${kind}`;
        const entry = counts.get(key);
        if (entry) entry.n++;
        else counts.set(key, { api_group: group, kind, n: 1 });
      }
      for (const { n, ...labels } of counts.values()) this.set(labels, n);
    },
  });
  new Gauge({
    name: 'attache_diagnostics',
    help: 'Current diagnostics (compile, source and NACK feedback), by code and severity',
    labelNames: ['code', 'severity'],
    registers,
    collect() {
      this.reset();
      for (const d of state.diagnostics()) this.inc({ code: d.code, severity: d.severity });
    },
  });
  new Gauge({
    name: 'attache_xds_streams',
    help: 'Open xDS streams by node group, subscribed resource type and protocol variant',
    labelNames: ['group', 'type', 'variant'],
    registers,
    collect() {
      this.reset();
      for (const stream of asClientStreams(state.streams?.() ?? [])) {
        for (const t of stream.types) {
          this.inc({ group: stream.group ?? '', type: shortTypeName(t.typeUrl), variant: stream.variant });
        }
      }
    },
  });
  new Gauge({
    name: 'attache_xds_clients_behind',
    help: 'Streams whose acknowledged version of a type is not the one last sent (a push in flight or refused), by node group and type',
    labelNames: ['group', 'type'],
    registers,
    collect() {
      this.reset();
      for (const stream of asClientStreams(state.streams?.() ?? [])) {
        for (const t of stream.types) {
          const labels = { group: stream.group ?? '', type: shortTypeName(t.typeUrl) };
          this.inc(labels, t.pending || t.lastNack !== undefined ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'attache_leader',
    help: 'Whether this replica leads the election of a source (the Kubernetes source: status write-back); only sources with an election are listed. Every replica serves xDS regardless',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const { source, leading } of state.leadership?.() ?? []) this.set({ source }, leading ? 1 : 0);
    },
  });

  return {
    registry,
    cycleFinished(cycle, lags) {
      compileDuration.observe(cycle.compileMs / 1000);
      passLast.reset();
      for (const [pass, ms] of Object.entries(cycle.passMs)) {
        passSeconds.inc({ pass }, ms / 1000);
        passLast.set({ pass }, ms / 1000);
      }
      for (const s of cycle.published) publishes.inc({ group: s.group });
      for (const [source, ms] of lags) watchLag.observe({ source }, ms / 1000);
    },
  };
}

function snapshots(state: AdminState) {
  const groups = state.groups?.() ?? ['default'];
  return groups.flatMap((g) => {
    const s = state.snapshot(g);
    return s ? [s] : [];
  });
}
