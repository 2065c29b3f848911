import { afterEach, describe, expect, it } from 'vitest';
import { config, type Harness, startHarness, T } from './testdata/fixtures.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('SotW ADS', () => {
  it('serves a wildcard CDS and named EDS, then ACKs', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1001, b: 1002 }));
    const ads = h.client().sotw('ads');
    ads.subscribe(T.Cluster, []);
    const cds = await ads.next(T.Cluster);
    expect(cds.resources.map((r) => r.name)).toEqual(['a', 'b']);
    ads.ack(cds);
    ads.subscribe(T.ClusterLoadAssignment, ['a']);
    const eds = await ads.next(T.ClusterLoadAssignment);
    expect(eds.resources.map((r) => r.name)).toEqual(['a']);
  });
});
