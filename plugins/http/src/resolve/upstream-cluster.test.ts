import { type IRCluster, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { upstreamCluster } from './upstreams.js';

describe('upstreamCluster', () => {
  it('is the spread of discovery and settings: the same keys in the same order and values, over random clusters', () => {
    const random = seededRandom(1503);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const optional: Array<[string, () => unknown]> = [
      ['respectDnsTtl', () => true],
      ['tls', () => ({ sni: 'a.example.com' })],
      ['http2', () => true],
      ['idleTimeoutMs', () => 5000],
      ['maxConnectionLifetimeMs', () => 60000],
      ['circuitBreakers', () => [{ priority: 'HIGH' }]],
      ['outlierDetection', () => ({ consecutive_5xx: 3 })],
      ['healthChecks', () => [{ timeout: '3.000s' }]],
      ['tcpKeepalive', () => ({ probes: 3 })],
    ];
    let literal = 0;
    for (let i = 0; i < 3_000; i++) {
      const discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'> =
        random() < 0.8
          ? {
              discovery: pick(['STRICT_DNS', 'LOGICAL_DNS'] as const),
              targets: [{ host: 'svc.ns', port: 80 }],
            }
          : { discovery: 'EDS', edsServiceName: 'k8s/ns/svc/80' };
      // As clusterSettings makes them: three settings always, in this order, then any of the rest.
      const settings: Record<string, unknown> = {
        connectTimeoutMs: pick([3000, 250]),
        lbPolicy: pick(['ROUND_ROBIN', 'RING_HASH']),
        dnsLookupFamily: pick(['V4_ONLY', 'AUTO']),
      };
      if (random() < 0.4) for (const [key, value] of optional) if (random() < 0.3) settings[key] = value();
      const got = upstreamCluster('c', discovery, settings);
      const want = { name: 'c', ...discovery, ...settings, provenance: [] };
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(got).toEqual(want);
      if (Object.keys(settings).length === 3 && discovery.targets !== undefined) literal++;
    }
    expect(literal).toBeGreaterThan(1_000);
  });
});
