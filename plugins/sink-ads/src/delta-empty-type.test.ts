import { xdsSnapshot } from '@attache/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { config, type Harness, startHarness, T } from './testdata/fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('delta ADS, a type with no resources', () => {
  it('answers a wildcard subscription at once with an empty response, and only once', async () => {
    h = await startHarness();
    h.server.setSnapshot(xdsSnapshot({ serial: 1, resources: [] }));
    const ads = h.client().delta('ads');
    ads.subscribe(T.Cluster, ['*']);
    ads.subscribe(T.Listener, []);
    const clusters = await ads.next(T.Cluster, 2000);
    expect(clusters.resources).toEqual([]);
    expect(clusters.removed).toEqual([]);
    ads.ack(clusters);
    const listeners = await ads.next(T.Listener, 2000);
    expect(listeners.resources).toEqual([]);
    ads.ack(listeners);
    // Nothing more until something changes; then the change itself.
    h.server.setSnapshot(config(2, { a: 1 }));
    const next = await ads.next(T.Cluster, 2000);
    expect(next.resources.map((r) => r.name)).toEqual(['a']);
  });
});
