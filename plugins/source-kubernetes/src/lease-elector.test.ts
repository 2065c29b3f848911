import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeKubeApiServer, startFakeKubeApiServer } from '@attache/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient, loadKubeConfig } from './kube-client.js';
import { LeaseElector } from './lease-elector.js';
import { eventually, silentLogger } from './test-support.js';

describe('LeaseElector', () => {
  let server: FakeKubeApiServer;
  let client: KubeClient;
  const electors: LeaseElector[] = [];

  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    const file = join(mkdtempSync(join(tmpdir(), 'attache-lease-')), 'kubeconfig');
    writeFileSync(file, server.kubeconfig());
    client = new KubeClient(loadKubeConfig({ kubeconfig: file }));
  });
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await server.stop();
  });

  const elector = (identity: string, changes: boolean[] = [], leaseDurationSeconds = 1) => {
    const e = new LeaseElector({
      client,
      namespace: 'default',
      name: 'status',
      identity,
      leaseDurationSeconds,
      retryPeriodMs: 50,
      logger: silentLogger,
      onLeadershipChange: (leading) => changes.push(leading),
    });
    electors.push(e);
    return e;
  };
  const lease = () =>
    server.get('coordination.k8s.io/v1', 'Lease', 'default', 'status') as
      | { spec: Record<string, unknown> }
      | undefined;

  it('creates the Lease, renews it, and keeps a second candidate out', async () => {
    const a = elector('a');
    a.start();
    await eventually(() => expect(a.leading).toBe(true));
    const first = lease()?.spec;
    expect(first).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(String(first?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await eventually(() => expect(lease()?.spec.renewTime).not.toBe(first?.renewTime));
    const b = elector('b');
    b.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(b.leading).toBe(false);
    expect(lease()?.spec.holderIdentity).toBe('a');
  });

  it('takes over a lease whose holder stopped renewing, counting the transition', async () => {
    server.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'status', namespace: 'default' },
      spec: {
        holderIdentity: 'crashed',
        leaseDurationSeconds: 3,
        renewTime: '2026-01-01T00:00:00.000000Z',
        leaseTransitions: 3,
      },
    });
    const changes: boolean[] = [];
    const b = elector('b', changes, 3);
    b.start();
    await new Promise((r) => setTimeout(r, 300));
    // It has not seen the record unchanged for a lease duration yet: the holder may still be alive.
    expect(b.leading).toBe(false);
    await eventually(() => expect(b.leading).toBe(true));
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 4 });
    expect(changes).toEqual([true]);
  });

  it('releases the lease on stop so the next candidate needs no expiry', async () => {
    const a = elector('a');
    a.start();
    await eventually(() => expect(a.leading).toBe(true));
    await a.stop();
    expect(lease()?.spec.holderIdentity ?? undefined).toBeUndefined();
    const b = elector('b');
    b.start();
    await eventually(() => expect(b.leading).toBe(true));
  });
});
