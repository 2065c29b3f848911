import { xdsSnapshot } from '@attache/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cluster,
  config,
  endpoints,
  type Harness,
  listener,
  routes,
  settle,
  startHarness,
  T,
  until,
} from './testdata/fixtures.js';
import type { DeliveryFeedback } from './xds-stream.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function recorder() {
  const events: {
    kind: string;
    typeUrl: string;
    resourceNames?: string[];
    message?: string;
    group: string;
    client: string;
  }[] = [];
  const feedback: DeliveryFeedback = {
    rejected: (e) => events.push({ kind: 'rejected', ...e }),
    accepted: (e) => events.push({ kind: 'accepted', ...e }),
  };
  return { events, feedback };
}

function typeInfo(harness: Harness, typeUrl: string) {
  const stream = harness.server.streams()[0];
  return stream?.types.find((t) => t.typeUrl === typeUrl);
}

describe('SotW ADS', () => {
  it('answers a legacy wildcard CDS with every cluster and named EDS with what is asked', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1001, b: 1002 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    const cds = await ads.next(T.Cluster);
    expect(cds.resources.map((r) => r.name)).toEqual(['a', 'b']);
    expect(cds.versionInfo).not.toBe('');
    ads.ack(cds);
    ads.subscribe(T.ClusterLoadAssignment, ['a']);
    const eds = await ads.next(T.ClusterLoadAssignment);
    expect(eds.resources.map((r) => r.name)).toEqual(['a']);
    expect(eds.resources[0]?.json).toMatchObject({
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { portValue: 1001 } } } }] }],
    });
    ads.ack(eds);
    // The subscription grows mid-stream: the response carries what the client does not hold yet. For
    // named types an omission deletes nothing (Envoy updates only the resources a response names).
    ads.subscribe(T.ClusterLoadAssignment, ['a', 'b']);
    const eds2 = await ads.next(T.ClusterLoadAssignment);
    expect(eds2.resources.map((r) => r.name)).toEqual(['b']);
    expect(eds2.versionInfo).not.toBe(eds.versionInfo);
  });

  it("treats '*' as wildcard and keeps legacy wildcard across empty ACKs", async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, ['*']);
    const cds = await ads.next(T.Cluster);
    expect(cds.resources.map((r) => r.name)).toEqual(['a', 'b']);
    ads.ack(cds);
    h.server.setSnapshot(config(2, { a: 1, b: 2, c: 3 }));
    const cds2 = await ads.next(T.Cluster);
    expect(cds2.resources.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('does not resend an ACKed version, and ignores a request with a stale nonce', async () => {
    h = await startHarness();
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    const first = await ads.next(T.Cluster);
    ads.ack(first);
    await until(() => typeInfo(harness, T.Cluster)?.acks === 1, 'the ACK');
    // Same content under a new serial: same per-type version, nothing to send.
    h.server.setSnapshot(config(2, { a: 1 }));
    // A stale nonce with a different subscription must be ignored whole.
    ads.send({ typeUrl: T.Cluster, resourceNames: ['nope'], responseNonce: 'stale-nonce', versionInfo: '' });
    await settle();
    expect(ads.pending(T.Cluster)).toEqual([]);
    expect(typeInfo(harness, T.Cluster)).toMatchObject({
      subscribed: ['*'],
      pushes: 1,
      ackedVersion: first.versionInfo,
    });
  });

  it('parks a NACKed version (no resend loop), reports it as feedback, and moves on with the next snapshot', async () => {
    const { events, feedback } = recorder();
    h = await startHarness({ feedback });
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    const good = await ads.next(T.Cluster);
    ads.ack(good);
    h.server.setSnapshot(config(2, { a: 1, bad: 2 }));
    const bad = await ads.next(T.Cluster);
    expect(bad.resources.map((r) => r.name)).toEqual(['a', 'bad']);
    // Envoy ends error_detail.message with a newline; the feedback carries the message without it.
    ads.nack(bad, "cluster 'bad': unsupported lb_policy\n");
    await until(() => typeInfo(harness, T.Cluster)?.nacks === 1, 'the NACK');
    // The client repeats its request (as Envoy does on a NACK); the server must stay quiet.
    ads.subscribe(T.Cluster, []);
    await settle();
    expect(ads.pending(T.Cluster)).toEqual([]);
    expect(typeInfo(harness, T.Cluster)).toMatchObject({
      pushes: 2,
      ackedVersion: good.versionInfo,
      lastNack: { resourceNames: ['bad'] },
    });
    expect(events.filter((e) => e.kind === 'rejected')).toEqual([
      {
        kind: 'rejected',
        group: 'default',
        typeUrl: T.Cluster,
        resourceNames: ['bad'],
        message: "cluster 'bad': unsupported lb_policy",
        client: 'node-1',
        // The content hash it refused, so the runtime can tell when the refusal stops applying.
        versions: {
          bad: harness.server.snapshot('default')!.resources[T.Cluster]!.find((c) => c.name === 'bad')!
            .version,
        },
      },
    ]);
    // A newer snapshot (the culprit fixed) is sent, and its ACK clears the rejection.
    h.server.setSnapshot(
      xdsSnapshot({ serial: 3, resources: [cluster('a'), cluster('bad', { connectTimeout: '2s' })] }),
    );
    const fixed = await ads.next(T.Cluster);
    ads.ack(fixed);
    await until(() => events.length === 3, 'the recovery');
    expect(events.map((e) => e.kind)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(events[2]).toMatchObject({ kind: 'accepted', typeUrl: T.Cluster });
    expect(typeInfo(harness, T.Cluster)?.lastNack).toBeUndefined();
  });

  it('names every changed resource of a NACK whose message names none', async () => {
    const { events, feedback } = recorder();
    h = await startHarness({ feedback });
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    ads.ack(await ads.next(T.Cluster));
    h.server.setSnapshot(config(2, { a: 1, b: 2, c: 3 }, { extra: [] }));
    const response = await ads.next(T.Cluster);
    ads.nack(response, 'something went wrong');
    await until(() => events.some((e) => e.kind === 'rejected'), 'the NACK');
    expect(events.find((e) => e.kind === 'rejected')?.resourceNames).toEqual(['c']);
  });

  it('clears a rejection when the same node ACKs on a new stream after reconnecting', async () => {
    const { events, feedback } = recorder();
    h = await startHarness({ feedback });
    h.server.setSnapshot(config(1, { a: 1 }));
    const first = h.client('envoy-7').sotw('ads');
    first.subscribe(T.Cluster, []);
    first.nack(await first.next(T.Cluster), 'a: bad');
    await until(() => events.some((e) => e.kind === 'rejected'), 'the NACK');
    first.close();
    const again = h.client('envoy-7').sotw('ads');
    again.subscribe(T.Cluster, []);
    again.ack(await again.next(T.Cluster));
    await until(() => events.at(-1)?.kind === 'accepted', 'the recovery');
    expect(events.map((e) => [e.kind, e.client])).toEqual([
      ['rejected', 'envoy-7'],
      ['accepted', 'envoy-7'],
    ]);
  });

  it('removes a cluster by omitting it (full-state CDS) and sends an empty LDS for an absent named listener', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    ads.ack(await ads.next(T.Cluster));
    h.server.setSnapshot(config(2, { a: 1 }));
    const cds = await ads.next(T.Cluster);
    expect(cds.resources.map((r) => r.name)).toEqual(['a']);
    ads.ack(cds);
    ads.subscribe(T.Listener, ['missing']);
    const lds = await ads.next(T.Listener);
    expect(lds.resources).toEqual([]);
  });

  it('does not answer a named RDS/EDS request for absent names, and answers once they appear', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.ClusterLoadAssignment, ['later']);
    await settle();
    expect(ads.pending()).toEqual([]);
    h.server.setSnapshot(config(2, { a: 1, later: 2 }));
    const eds = await ads.next(T.ClusterLoadAssignment);
    expect(eds.resources.map((r) => r.name)).toEqual(['later']);
  });

  it('pushes EDS alone when only endpoints change (the endpoint fast path)', async () => {
    h = await startHarness();
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1001, b: 1002 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    ads.ack(await ads.next(T.Cluster));
    ads.subscribe(T.ClusterLoadAssignment, ['a', 'b']);
    ads.ack(await ads.next(T.ClusterLoadAssignment));
    ads.subscribe(T.Listener, []);
    ads.ack(await ads.next(T.Listener));
    ads.subscribe(T.RouteConfiguration, ['edge-routes']);
    ads.ack(await ads.next(T.RouteConfiguration));
    await until(() => harness.server.streams()[0]?.types.every((t) => !t.pending) === true, 'all ACKs');
    const before = Object.fromEntries(
      harness.server.streams()[0]?.types.map((t) => [t.typeUrl, t.pushes]) ?? [],
    );

    h.server.setSnapshot(config(2, { a: 1001, b: 2002 }));
    const eds = await ads.next();
    expect(eds.typeUrl).toBe(T.ClusterLoadAssignment);
    // Only the assignment that changed: bytes per change follow what changed.
    expect(eds.resources.map((r) => r.name)).toEqual(['b']);
    ads.ack(eds);
    await until(() => typeInfo(harness, T.ClusterLoadAssignment)?.pending === false, 'the EDS ACK');
    await settle();
    const after = Object.fromEntries(
      harness.server.streams()[0]?.types.map((t) => [t.typeUrl, t.pushes]) ?? [],
    );
    expect(after).toEqual({
      ...before,
      [T.ClusterLoadAssignment]: (before[T.ClusterLoadAssignment] ?? 0) + 1,
    });
    expect(ads.pending()).toEqual([]);
  });

  it('orders an update make-before-break: new clusters first, routes after their ACK, old clusters last', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { old: 1 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    ads.ack(await ads.next(T.Cluster));
    ads.subscribe(T.Listener, []);
    ads.ack(await ads.next(T.Listener));
    ads.subscribe(T.RouteConfiguration, ['edge-routes']);
    const rds1 = await ads.next(T.RouteConfiguration);
    ads.ack(rds1);
    await settle();

    // 'old' is replaced by 'new' in both the routes and the clusters.
    h.server.setSnapshot(config(2, { new: 2 }));
    const cds = await ads.next();
    expect(cds.typeUrl).toBe(T.Cluster);
    expect(cds.resources.map((r) => r.name)).toEqual(['new', 'old']);
    await settle();
    expect(ads.pending(T.RouteConfiguration)).toEqual([]);
    ads.ack(cds);
    const rds = await ads.next();
    expect(rds.typeUrl).toBe(T.RouteConfiguration);
    expect(JSON.stringify(rds.resources[0]?.json)).toContain('"cluster":"new"');
    await settle();
    expect(ads.pending(T.Cluster)).toEqual([]);
    ads.ack(rds);
    const cdsFinal = await ads.next(T.Cluster);
    expect(cdsFinal.resources.map((r) => r.name)).toEqual(['new']);
  });

  it('keeps routes back while the new clusters are NACKed (the client stays on its last good config)', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { old: 1 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    ads.ack(await ads.next(T.Cluster));
    ads.subscribe(T.RouteConfiguration, ['edge-routes']);
    ads.ack(await ads.next(T.RouteConfiguration));
    h.server.setSnapshot(config(2, { new: 2 }));
    const cds = await ads.next(T.Cluster);
    ads.nack(cds, 'new: bad cluster');
    await settle();
    expect(ads.pending()).toEqual([]);
  });

  it('serves a per-type stream (LDS) its own type only', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1 }));
    const lds = h.client().sotw('lds');
    lds.subscribe(T.Cluster, []);
    lds.subscribe(T.Listener, []);
    const response = await lds.next();
    expect(response.typeUrl).toBe(T.Listener);
    expect(response.resources.map((r) => r.name)).toEqual(['edge']);
    await settle();
    expect(lds.pending()).toEqual([]);
  });

  it('serves each node the snapshot of its group (ambassador_id metadata, or a configured rule)', async () => {
    h = await startHarness({ groups: [{ group: 'canary', nodeCluster: 'canary-envoys' }] });
    h.server.setSnapshot(config(1, { a: 1 }));
    h.server.setSnapshot(config(1, { team: 1 }, { group: 'team-a' }));
    h.server.setSnapshot(config(1, { canary: 1 }, { group: 'canary' }));
    const plain = h.client('plain').sotw('ads');
    const teamA = h.client('team', { ambassador_id: 'team-a' }).sotw('ads');
    const canary = h.client('c').sotw('ads', { id: 'c', cluster: 'canary-envoys' });
    for (const s of [plain, teamA, canary]) s.subscribe(T.Cluster, []);
    expect((await plain.next(T.Cluster)).resources.map((r) => r.name)).toEqual(['a']);
    expect((await teamA.next(T.Cluster)).resources.map((r) => r.name)).toEqual(['team']);
    expect((await canary.next(T.Cluster)).resources.map((r) => r.name)).toEqual(['canary']);
    expect(
      h.server
        .streams()
        .map((s) => s.group)
        .sort(),
    ).toEqual(['canary', 'default', 'team-a']);
  });

  it('waits for the first snapshot of a group before answering', async () => {
    h = await startHarness();
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    await settle();
    expect(ads.pending()).toEqual([]);
    h.server.setSnapshot(
      xdsSnapshot({ resources: [cluster('x'), endpoints('x', 1), listener('l', 'r'), routes('r', ['x'])] }),
    );
    expect((await ads.next(T.Cluster)).resources.map((r) => r.name)).toEqual(['x']);
  });
});
