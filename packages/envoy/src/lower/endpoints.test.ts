import { type IREndpoints, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { defined, socketAddress } from './common.js';
import { groupedLocalityEndpoints, lbEndpoints, localityEndpoints } from './endpoints.js';

type IREndpoint = IREndpoints['endpoints'][number];

/** An LbEndpoint as `defined` of the full literal makes it (what lbEndpoint builds key by key). */
const plainLbEndpoint = (e: IREndpoint) =>
  defined({
    endpoint: { address: socketAddress(e.address, e.port) },
    health_status: e.healthy === undefined ? undefined : e.healthy ? 'HEALTHY' : 'UNHEALTHY',
    load_balancing_weight: e.weight,
  });

function randomEndpoints(random: () => number): IREndpoint[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const count = pick([1, 1, 1, 2, 3]);
  return Array.from({ length: count }, () => {
    const e: IREndpoint = {
      address: pick(['10.0.0.1', '10.0.0.2', 'svc.ns', '::1']),
      port: pick([80, 8080]),
    };
    const zone = pick([undefined, undefined, '', 'a', 'b']);
    if (zone !== undefined) e.zone = zone;
    const weight = pick([undefined, undefined, 1, 5]);
    if (weight !== undefined) e.weight = weight;
    const healthy = pick([undefined, undefined, true, false]);
    if (healthy !== undefined) e.healthy = healthy;
    return e;
  });
}

describe('endpoints lowering shortcuts', () => {
  it('give what the grouping and the literals give, key order included (random endpoint sets, fixed seed)', () => {
    const random = seededRandom(1207);
    let single = 0;
    for (let i = 0; i < 2000; i++) {
      const endpoints = randomEndpoints(random);
      if (endpoints.length === 1 && endpoints[0]!.zone === undefined) single++;
      expect(JSON.stringify(localityEndpoints(endpoints))).toBe(
        JSON.stringify(groupedLocalityEndpoints(endpoints)),
      );
      const sorted = [...endpoints].sort((a, b) =>
        a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port,
      );
      expect(JSON.stringify(lbEndpoints(endpoints))).toBe(JSON.stringify(sorted.map(plainLbEndpoint)));
    }
    expect(single).toBeGreaterThan(200);
  });
});
