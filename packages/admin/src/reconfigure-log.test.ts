import { emptyXdsResources, type Snapshot, TypeUrl, type XdsResource } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, ReconfigureLog } from './reconfigure-log.js';

const mapping = (name: string) => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  namespace: 'default',
  name,
});

function cluster(name: string, version: string, from: string): XdsResource {
  return { typeUrl: TypeUrl.Cluster, name, version, resource: { name }, provenance: [mapping(from)] };
}

function snapshot(serial: number, clusters: XdsResource[]): Snapshot {
  const resources = emptyXdsResources();
  resources[TypeUrl.Cluster].push(...clusters);
  return { group: 'default', serial, version: `v${serial}`, resources, diagnostics: [] };
}

describe('reconfigure history', () => {
  it('names the Envoy resources added, changed and removed, and the inputs behind them', () => {
    const before = snapshot(1, [cluster('a', '1', 'a'), cluster('b', '1', 'b'), cluster('c', '1', 'c')]);
    const after = snapshot(2, [cluster('a', '1', 'a'), cluster('b', '2', 'b'), cluster('d', '1', 'd')]);
    expect(diffSnapshots(before, after).map((c) => `${c.change} ${c.type} ${c.name}`)).toEqual([
      'changed Cluster b',
      'added Cluster d',
      'removed Cluster c',
    ]);
    const log = new ReconfigureLog(2);
    log.record({ published: [before], snapshots: new Map(), startedAt: 0, compileMs: 12, passMs: {} }, 1_000);
    log.record({ published: [after], snapshots: new Map(), startedAt: 0, compileMs: 5, passMs: {} }, 2_000);
    log.record({ published: [], snapshots: new Map(), startedAt: 0, compileMs: 1, passMs: {} }, 3_000);
    const [latest, first] = log.entries();
    expect(latest).toMatchObject({ serial: 2, compileMs: 5, at: new Date(2_000).toISOString() });
    expect(latest!.inputs).toEqual(['Mapping default/b', 'Mapping default/c', 'Mapping default/d']);
    // The first snapshot of a group: everything in it is new.
    expect(first!.changes.map((c) => c.change)).toEqual(['added', 'added', 'added']);
    log.record(
      { published: [snapshot(3, [])], snapshots: new Map(), startedAt: 0, compileMs: 1, passMs: {} },
      4_000,
    );
    expect(log.entries().map((e) => e.serial)).toEqual([3, 2]);
  });
});
