import { xdsSnapshot } from '@attache/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { cluster, config, type Harness, settle, startHarness, T, until } from './testdata/fixtures.js';
import type { DeliveryFeedback } from './xds-stream.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function names(response: { resources: { name: string }[] }): string[] {
  return response.resources.map((r) => r.name);
}

function typeInfo(harness: Harness, typeUrl: string) {
  return harness.server.streams()[0]?.types.find((t) => t.typeUrl === typeUrl);
}

describe('delta ADS', () => {
  it('sends per-resource versions (the content hashes) and only what changed afterwards', async () => {
    h = await startHarness();
    const first = config(1, { a: 1, b: 2 });
    h.server.setSnapshot(first);
    const ads = h.client().delta('ads');
    ads.subscribe(T.ClusterLoadAssignment, ['a', 'b']);
    const r1 = await ads.next(T.ClusterLoadAssignment);
    expect(names(r1)).toEqual(['a', 'b']);
    const hashes = first.resources[T.ClusterLoadAssignment].map((r) => r.version);
    expect(r1.resources.map((r) => r.version)).toEqual(hashes);
    ads.ack(r1);
    h.server.setSnapshot(config(2, { a: 1, b: 3 }));
    const r2 = await ads.next(T.ClusterLoadAssignment);
    expect(names(r2)).toEqual(['b']);
    expect(r2.removed).toEqual([]);
    ads.ack(r2);
  });

  it('subscribes to everything with a legacy empty first request or "*", and removes with removed_resources', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const legacy = h.client('n1').delta('ads');
    legacy.subscribe(T.Cluster, []);
    const star = h.client('n2').delta('ads');
    star.subscribe(T.Cluster, ['*']);
    for (const s of [legacy, star]) {
      const r = await s.next(T.Cluster);
      expect(names(r)).toEqual(['a', 'b']);
      s.ack(r);
    }
    await settle();
    h.server.setSnapshot(config(2, { a: 1 }));
    for (const s of [legacy, star]) {
      const r = await s.next(T.Cluster);
      expect(names(r)).toEqual([]);
      expect(r.removed).toEqual(['b']);
      s.ack(r);
      await until(() => Object.keys(s.holds(T.Cluster)).join() === 'a', 'client state');
    }
  });

  it('resumes from initial_resource_versions: unchanged resources are not resent, stale ones are, gone ones are removed', async () => {
    h = await startHarness();
    const snapshot = config(1, { a: 1, b: 2, c: 3 });
    h.server.setSnapshot(snapshot);
    const version = (name: string) =>
      snapshot.resources[T.Cluster].find((r) => r.name === name)?.version ?? 'missing';
    const ads = h.client().delta('ads');
    ads.subscribe(T.Cluster, ['*'], { a: version('a'), b: 'outdated', gone: 'v0' });
    const r = await ads.next(T.Cluster);
    expect(names(r)).toEqual(['b', 'c']);
    expect(r.removed).toEqual(['gone']);
  });

  it('reports a name asked for but absent once in removed_resources, then sends it when it appears', async () => {
    h = await startHarness();
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1 }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.ClusterLoadAssignment, ['a', 'later']);
    const r1 = await ads.next(T.ClusterLoadAssignment);
    expect(names(r1)).toEqual(['a']);
    expect(r1.removed).toEqual(['later']);
    ads.ack(r1);
    await until(() => typeInfo(harness, T.ClusterLoadAssignment)?.acks === 1, 'the ACK');
    h.server.setSnapshot(config(2, { a: 1 }));
    await settle();
    expect(ads.pending()).toEqual([]);
    h.server.setSnapshot(config(3, { a: 1, later: 2 }));
    const r2 = await ads.next(T.ClusterLoadAssignment);
    expect(names(r2)).toEqual(['later']);
  });

  it('stops sending a resource after unsubscribe, without a removal', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.ClusterLoadAssignment, ['a', 'b']);
    ads.ack(await ads.next(T.ClusterLoadAssignment));
    ads.unsubscribe(T.ClusterLoadAssignment, ['b']);
    await settle();
    h.server.setSnapshot(config(2, { a: 5, b: 6 }));
    const r = await ads.next(T.ClusterLoadAssignment);
    expect(names(r)).toEqual(['a']);
    expect(r.removed).toEqual([]);
  });

  it('parks a NACKed resource version but keeps delivering the others; feedback names it', async () => {
    const events: { resourceNames: string[] }[] = [];
    const feedback: DeliveryFeedback = { rejected: (e) => events.push(e), accepted() {} };
    h = await startHarness({ feedback });
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1 }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.Cluster, ['*']);
    ads.ack(await ads.next(T.Cluster));
    h.server.setSnapshot(
      xdsSnapshot({ serial: 2, resources: [cluster('a'), cluster('bad', { connectTimeout: '1s' })] }),
    );
    const bad = await ads.next(T.Cluster);
    expect(names(bad)).toEqual(['bad']);
    ads.nack(bad, 'Cluster bad: unsupported');
    await until(() => typeInfo(harness, T.Cluster)?.nacks === 1, 'the NACK');
    expect(events).toMatchObject([{ resourceNames: ['bad'] }]);
    // Another resource changes: it is sent, the parked one is not.
    h.server.setSnapshot(
      xdsSnapshot({
        serial: 3,
        resources: [cluster('a', { connectTimeout: '9s' }), cluster('bad', { connectTimeout: '1s' })],
      }),
    );
    const next = await ads.next(T.Cluster);
    expect(names(next)).toEqual(['a']);
    ads.ack(next);
    await settle();
    expect(ads.pending()).toEqual([]);
    // Fixed: the new version of 'bad' goes out.
    h.server.setSnapshot(
      xdsSnapshot({
        serial: 4,
        resources: [cluster('a', { connectTimeout: '9s' }), cluster('bad', { connectTimeout: '2s' })],
      }),
    );
    expect(names(await ads.next(T.Cluster))).toEqual(['bad']);
  });

  it('applies subscription changes from a request with a stale nonce, but not its ACK', async () => {
    h = await startHarness();
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.ClusterLoadAssignment, ['a']);
    const r1 = await ads.next(T.ClusterLoadAssignment);
    ads.send({ typeUrl: T.ClusterLoadAssignment, responseNonce: 'stale', resourceNamesSubscribe: ['b'] });
    await settle();
    expect(typeInfo(harness, T.ClusterLoadAssignment)).toMatchObject({
      pending: true,
      subscribed: ['a', 'b'],
    });
    ads.ack(r1);
    const r2 = await ads.next(T.ClusterLoadAssignment);
    expect(names(r2)).toEqual(['b']);
  });

  it('removes a cluster only after the routes that stopped using it are ACKed', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { old: 1 }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.Cluster, ['*']);
    ads.ack(await ads.next(T.Cluster));
    ads.subscribe(T.RouteConfiguration, ['edge-routes']);
    ads.ack(await ads.next(T.RouteConfiguration));
    await settle();
    h.server.setSnapshot(config(2, { new: 2 }));
    const cds = await ads.next();
    expect(cds.typeUrl).toBe(T.Cluster);
    expect(names(cds)).toEqual(['new']);
    expect(cds.removed).toEqual([]);
    ads.ack(cds);
    const rds = await ads.next();
    expect(rds.typeUrl).toBe(T.RouteConfiguration);
    await settle();
    expect(ads.pending(T.Cluster)).toEqual([]);
    ads.ack(rds);
    const removal = await ads.next(T.Cluster);
    expect(removal.removed).toEqual(['old']);
    expect(names(removal)).toEqual([]);
  });

  it('pushes EDS alone when only endpoints change', async () => {
    h = await startHarness();
    const harness = h;
    h.server.setSnapshot(config(1, { a: 1 }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.Cluster, ['*']);
    ads.ack(await ads.next(T.Cluster));
    ads.subscribe(T.ClusterLoadAssignment, ['a']);
    ads.ack(await ads.next(T.ClusterLoadAssignment));
    ads.subscribe(T.Listener, ['*']);
    ads.ack(await ads.next(T.Listener));
    ads.subscribe(T.RouteConfiguration, ['edge-routes']);
    ads.ack(await ads.next(T.RouteConfiguration));
    await until(() => harness.server.streams()[0]?.types.every((t) => !t.pending) === true, 'all ACKs');
    const pushes = () =>
      Object.fromEntries(harness.server.streams()[0]?.types.map((t) => [t.typeUrl, t.pushes]) ?? []);
    const before = pushes();
    h.server.setSnapshot(config(2, { a: 7 }));
    const r = await ads.next();
    expect(r.typeUrl).toBe(T.ClusterLoadAssignment);
    expect(r.resources[0]?.json).toMatchObject({
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { portValue: 7 } } } }] }],
    });
    ads.ack(r);
    await settle();
    expect(ads.pending()).toEqual([]);
    expect(pushes()).toEqual({
      ...before,
      [T.ClusterLoadAssignment]: (before[T.ClusterLoadAssignment] ?? 0) + 1,
    });
  });

  it('serves per-type delta streams (CDS)', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1 }));
    const cds = h.client().delta('cds');
    cds.subscribe(T.Cluster, ['*']);
    expect(names(await cds.next(T.Cluster))).toEqual(['a']);
  });
});
