import { TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { defaultXdsCodec } from './default-codec.js';
import { EncodePool } from './encode-pool.js';
import { encodeSnapshot, encodeSnapshotSliced } from './group-state.js';

/** A route table large enough to be worth another thread, as the runtime's compile worker hands it over (with its text). */
function routeTable(routes: number) {
  const resource = {
    '@type': TypeUrl.RouteConfiguration,
    name: 'big',
    virtual_hosts: [
      {
        name: 'all',
        domains: ['*'],
        routes: Array.from({ length: routes }, (_, i) => ({
          name: `r${i}`,
          match: { prefix: `/svc-${i}/` },
          route: { cluster: `c${i % 50}`, timeout: `${1 + (i % 9)}s` },
        })),
      },
    ],
  };
  return {
    typeUrl: TypeUrl.RouteConfiguration,
    name: 'big',
    version: 'v1',
    resource,
    provenance: [],
    text: JSON.stringify(resource),
  };
}

describe.skipIf(!EncodePool.available())('EncodePool', () => {
  it('encodes a resource in a worker thread to the same bytes as the codec in this thread', async () => {
    const codec = defaultXdsCodec();
    const table = routeTable(2000);
    const snapshot = {
      group: 'default',
      serial: 1,
      version: 'v',
      resources: {
        [TypeUrl.Listener]: [],
        [TypeUrl.RouteConfiguration]: [table],
        [TypeUrl.Cluster]: [],
        [TypeUrl.ClusterLoadAssignment]: [],
        [TypeUrl.Secret]: [],
      },
      diagnostics: [],
    };
    const pool = new EncodePool();
    try {
      // The event loop keeps turning while the worker encodes.
      let turns = 0;
      const ticker = setInterval(() => turns++, 0);
      const sliced = await encodeSnapshotSliced(codec, snapshot, undefined, pool);
      clearInterval(ticker);
      const inThread = encodeSnapshot(codec, snapshot, undefined);
      const a = sliced.resources(TypeUrl.RouteConfiguration).get('big')!;
      const b = inThread.resources(TypeUrl.RouteConfiguration).get('big')!;
      expect(Buffer.from(a.sotwFragment).equals(Buffer.from(b.sotwFragment))).toBe(true);
      expect(Buffer.from(a.deltaFragment).equals(Buffer.from(b.deltaFragment))).toBe(true);
      expect(a.sotwFragment.length).toBeGreaterThan(50_000);
      expect(turns).toBeGreaterThan(0);

      // One route changed: the worker cuts the new text into parts (its table is cached) and
      // gives the bytes this thread gives for the parsed table.
      const edited = routeTable(2000);
      edited.resource.virtual_hosts[0]!.routes[1234]!.route.cluster = 'edited';
      edited.text = JSON.stringify(edited.resource);
      edited.version = 'v2';
      const next = {
        ...snapshot,
        serial: 2,
        resources: { ...snapshot.resources, [TypeUrl.RouteConfiguration]: [edited] },
      };
      const c = (await encodeSnapshotSliced(codec, next, undefined, pool))
        .resources(TypeUrl.RouteConfiguration)
        .get('big')!;
      const d = encodeSnapshot(codec, next, undefined).resources(TypeUrl.RouteConfiguration).get('big')!;
      expect(Buffer.from(c.sotwFragment).equals(Buffer.from(d.sotwFragment))).toBe(true);
      expect(Buffer.from(c.deltaFragment).equals(Buffer.from(d.deltaFragment))).toBe(true);
      expect(Buffer.from(c.sotwFragment).equals(Buffer.from(a.sotwFragment))).toBe(false);
    } finally {
      await pool.close();
    }
  });
});
