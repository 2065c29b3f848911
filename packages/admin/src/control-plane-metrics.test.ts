import { type Diagnostic, emptyXdsResources, type Snapshot, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { AdminState } from './admin-state.js';
import type { ClientStream } from './client-stream.js';
import { createControlPlaneMetrics } from './control-plane-metrics.js';

const diag = (code: string, severity: Diagnostic['severity']): Diagnostic => ({
  code,
  severity,
  message: code,
  origin: { plugin: 'test' },
});

function stream(group: string, node: string, refused: boolean): ClientStream {
  const type = (typeUrl: string, nack: boolean) => ({
    typeUrl,
    subscribed: ['*'],
    sentVersion: nack ? 'v2' : 'v1',
    ackedVersion: 'v1',
    pending: false,
    pushes: 1,
    acks: 1,
    nacks: nack ? 1 : 0,
    lastNack: nack ? { message: 'no', resourceNames: ['l'], at: '' } : undefined,
  });
  return {
    id: 1,
    service: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
    variant: 'sotw',
    peer: '127.0.0.1:1',
    connectedAt: '',
    node: { id: node, cluster: 'c' },
    group,
    types: [type(TypeUrl.Cluster, false), type(TypeUrl.Listener, refused)],
  };
}

/** The value of one series in exposition text (labels in prom-client's order). */
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('control-plane metrics', () => {
  it('are computed from the state on every scrape: no stale series once a problem or a client is gone', async () => {
    const snapshot: Snapshot = {
      group: 'default',
      serial: 3,
      version: 'abc',
      resources: emptyXdsResources(),
      diagnostics: [],
    };
    let diagnostics = [diag('A', 'error'), diag('A', 'error'), diag('B', 'warning')];
    let streams: ClientStream[] = [stream('default', 'e1', true), stream('internal', 'e2', false)];
    let leading = false;
    const state: AdminState = {
      snapshot: (group) => (group === undefined || group === 'default' ? snapshot : undefined),
      diagnostics: () => diagnostics,
      streams: () => streams,
      groups: () => ['default', 'internal'],
      leadership: () => [{ source: 'kubernetes', leading }],
    };
    const metrics = createControlPlaneMetrics(state);
    let text = await metrics.registry.metrics();
    expect(value(text, 'attache_diagnostics{code="A",severity="error"}')).toBe(2);
    expect(value(text, 'attache_diagnostics{code="B",severity="warning"}')).toBe(1);
    expect(value(text, 'attache_snapshot_serial{group="default"}')).toBe(3);
    expect(value(text, 'attache_snapshot_info{group="default",version="abc"}')).toBe(1);
    expect(text).not.toContain('group="internal",version');
    expect(value(text, 'attache_xds_streams{group="internal",type="Cluster",variant="sotw"}')).toBe(1);
    expect(value(text, 'attache_xds_clients_behind{group="default",type="Listener"}')).toBe(1);
    expect(value(text, 'attache_xds_clients_behind{group="internal",type="Listener"}')).toBe(0);
    expect(value(text, 'attache_leader{source="kubernetes"}')).toBe(0);

    diagnostics = [diag('B', 'warning')];
    streams = [];
    leading = true;
    text = await metrics.registry.metrics();
    expect(text).not.toContain('code="A"');
    expect(text).not.toContain('attache_xds_streams{');
    expect(value(text, 'attache_leader{source="kubernetes"}')).toBe(1);
  });

  it('records compile cycles, per-pass times, publishes and watch lag', async () => {
    const metrics = createControlPlaneMetrics({ snapshot: () => undefined, diagnostics: () => [] });
    const published: Snapshot = {
      group: 'default',
      serial: 1,
      version: 'v',
      resources: emptyXdsResources(),
      diagnostics: [],
    };
    metrics.cycleFinished(
      {
        published: [published],
        snapshots: new Map(),
        startedAt: 0,
        compileMs: 40,
        passMs: { 'a.one': 30, 'b.two': 10 },
      },
      new Map([['file', 120]]),
    );
    metrics.cycleFinished(
      { published: [], snapshots: new Map(), startedAt: 0, compileMs: 2, passMs: { 'a.one': 2 } },
      new Map(),
    );
    const text = await metrics.registry.metrics();
    expect(value(text, 'attache_compile_duration_seconds_count')).toBe(2);
    expect(value(text, 'attache_compile_duration_seconds_sum')).toBeCloseTo(0.042);
    expect(value(text, 'attache_compile_pass_seconds_total{pass="a.one"}')).toBeCloseTo(0.032);
    // The last compile's times only: b.two did not run in it.
    expect(value(text, 'attache_compile_pass_last_seconds{pass="a.one"}')).toBeCloseTo(0.002);
    expect(text).not.toContain('attache_compile_pass_last_seconds{pass="b.two"}');
    expect(value(text, 'attache_snapshot_publishes_total{group="default"}')).toBe(1);
    expect(value(text, 'attache_watch_lag_seconds_sum{source="file"}')).toBeCloseTo(0.12);
    expect(value(text, 'attache_watch_lag_seconds_bucket{le="0.1",source="file"}')).toBe(0);
    expect(value(text, 'attache_watch_lag_seconds_bucket{le="0.25",source="file"}')).toBe(1);
  });
});
