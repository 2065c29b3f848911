import { xdsSnapshot } from '@attache/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { cluster, type Harness, listener, settle, startHarness, T, until } from './testdata/fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A RouteConfiguration of `count` routes with long prefixes: megabytes, past gRPC's 4 MiB default limit. */
function bigSnapshot(serial: number, count: number) {
  const pad = 'x'.repeat(100);
  return xdsSnapshot({
    serial,
    resources: [
      listener('edge', 'big'),
      cluster('up'),
      {
        '@type': T.RouteConfiguration,
        name: 'big',
        virtualHosts: [
          {
            name: 'all',
            domains: ['*'],
            routes: Array.from({ length: count }, (_, i) => ({
              match: { prefix: `/${serial}/${i}/${pad}` },
              route: { cluster: 'up' },
            })),
          },
        ],
      },
    ],
  });
}

describe('fleet behaviour', () => {
  it('delivers a response larger than 4 MiB (max message length raised)', async () => {
    h = await startHarness();
    h.server.setSnapshot(bigSnapshot(1, 40_000));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.RouteConfiguration, ['big']);
    const response = await ads.next(T.RouteConfiguration, 20_000);
    expect(response.bytes).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('a client that stops reading blocks nobody, and later gets the latest version, not the backlog', async () => {
    h = await startHarness();
    const harness = h;
    h.server.setSnapshot(bigSnapshot(1, 5_000));
    const stuck = h.client('stuck').sotw('ads');
    stuck.pause();
    stuck.subscribe(T.RouteConfiguration, ['big']);
    await until(
      () => harness.server.streams().some((s) => s.types[0]?.pending === true),
      'the response to the stuck client',
    );

    const healthy = h.client('healthy').sotw('ads');
    healthy.subscribe(T.RouteConfiguration, ['big']);
    const first = await healthy.next(T.RouteConfiguration, 20_000);
    healthy.ack(first);
    for (const serial of [2, 3]) {
      h.server.setSnapshot(bigSnapshot(serial, 5_000));
      const update = await healthy.next(T.RouteConfiguration, 20_000);
      expect(JSON.stringify(update.resources[0]?.json)).toContain(`"/${serial}/0/`);
      healthy.ack(update);
    }

    // The stuck client had one response in flight; its state stayed bounded to that.
    const stuckInfo = () => harness.server.streams().find((s) => s.node?.id === 'stuck')?.types[0];
    expect(stuckInfo()).toMatchObject({ pending: true, pushes: 1 });
    stuck.resume();
    const old = await stuck.next(T.RouteConfiguration, 20_000);
    expect(JSON.stringify(old.resources[0]?.json)).toContain('"/1/0/');
    stuck.ack(old);
    const latest = await stuck.next(T.RouteConfiguration, 20_000);
    expect(JSON.stringify(latest.resources[0]?.json)).toContain('"/3/0/');
    stuck.ack(latest);
    await settle();
    expect(stuck.pending()).toEqual([]);
    expect(stuckInfo()?.pushes).toBe(2);
  });

  it('with a send budget smaller than one response, every stream is still served, in turn', async () => {
    h = await startHarness({ sendBudgetBytes: 1 });
    h.server.setSnapshot(bigSnapshot(1, 500));
    const streams = Array.from({ length: 8 }, (_, i) => h?.client(`n${i}`).sotw('ads'));
    for (const s of streams) s?.subscribe(T.RouteConfiguration, ['big']);
    const responses = await Promise.all(streams.map((s) => s?.next(T.RouteConfiguration)));
    expect(responses.every((r) => r?.resources[0]?.name === 'big')).toBe(true);
  });
});
