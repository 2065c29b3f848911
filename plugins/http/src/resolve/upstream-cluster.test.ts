import { contentHash, type IRCluster, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { clusterIdentity, clusterIdentityJson, clusterName, upstreamCluster } from './upstreams.js';

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

describe('clusterIdentity', () => {
  it('is JSON.stringify([discovery, settings, tag ?? null]) over random clusters, those written from their values included', () => {
    const random = seededRandom(1601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const hosts = ['svc', 'svc.ns', 'a"b', 'ünï.example', 'x\\y', '', 'h\u2028'];
    let written = 0;
    for (let i = 0; i < 3_000; i++) {
      const target: Record<string, unknown> = { host: pick(hosts), port: pick([80, 443, 8080, 0, 65535]) };
      if (random() < 0.05) target.extra = 1;
      if (random() < 0.03) target.port = Number.NaN;
      const discovery: Record<string, unknown> =
        random() < 0.85
          ? { discovery: pick(['STRICT_DNS', 'LOGICAL_DNS']), targets: [target] }
          : { discovery: 'EDS', edsServiceName: 'k8s/ns/svc/80' };
      if (random() < 0.05) (discovery.targets as unknown[] | undefined)?.push({ host: 'b', port: 1 });
      const settings: Record<string, unknown> =
        random() < 0.05
          ? { lbPolicy: 'ROUND_ROBIN', connectTimeoutMs: 3000, dnsLookupFamily: 'V4_ONLY' }
          : {
              connectTimeoutMs: pick([3000, 250, 1.5, -0, 1e21]),
              lbPolicy: pick(['ROUND_ROBIN', 'RING_HASH', undefined]),
              dnsLookupFamily: pick(['V4_ONLY', 'AUTO']),
            };
      if (random() < 0.2) settings.idleTimeoutMs = 5000;
      if (random() < 0.1) settings.tls = { sni: pick(hosts) };
      const tag = pick([undefined, 'blue', 'a"b']);
      const d = discovery as unknown as Parameters<typeof clusterIdentity>[0];
      const s = settings as unknown as Parameters<typeof clusterIdentity>[1];
      const got = clusterIdentity(d, s, tag);
      expect(got).toBe(JSON.stringify([discovery, settings, tag ?? null]));
      if (Object.keys(settings).length === 3 && discovery.targets !== undefined) written++;
    }
    expect(written).toBeGreaterThan(1_000);
  });

  it('clusterIdentityJson is JSON.stringify(clusterIdentity(...)) over random clusters, those written at once included', () => {
    const random = seededRandom(1701);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const hosts = [
      'svc',
      'svc-0.team-0',
      'a"b',
      'ünï.example',
      'x\\y',
      '',
      'h\u2028',
      'tab\there',
      'del\u007f',
      'a b~',
    ];
    let written = 0;
    for (let i = 0; i < 6_000; i++) {
      const target: Record<string, unknown> = {
        host: pick(hosts),
        port: pick([80, 443, 8080, 0, 65535, -0]),
      };
      if (random() < 0.05) target.extra = 1;
      if (random() < 0.03) target.port = Number.NaN;
      const discovery: Record<string, unknown> =
        random() < 0.85
          ? { discovery: pick(['STRICT_DNS', 'LOGICAL_DNS', 'A"B']), targets: [target] }
          : { discovery: 'EDS', edsServiceName: 'k8s/ns/svc/80' };
      if (random() < 0.05) (discovery.targets as unknown[] | undefined)?.push({ host: 'b', port: 1 });
      const settings: Record<string, unknown> =
        random() < 0.05
          ? { lbPolicy: 'ROUND_ROBIN', connectTimeoutMs: 3000, dnsLookupFamily: 'V4_ONLY' }
          : {
              connectTimeoutMs: pick([3000, 250, 1.5, -0, 1e21]),
              lbPolicy: pick(['ROUND_ROBIN', 'RING_HASH', undefined, 'x\\y']),
              dnsLookupFamily: pick(['V4_ONLY', 'AUTO', 'é']),
            };
      if (random() < 0.2) settings.idleTimeoutMs = 5000;
      const tag = pick([undefined, 'blue', 'a"b', 'ü', 'c\\d']);
      const d = discovery as unknown as Parameters<typeof clusterIdentity>[0];
      const s = settings as unknown as Parameters<typeof clusterIdentity>[1];
      const got = clusterIdentityJson(d, s, tag);
      expect(got).toBe(JSON.stringify(JSON.stringify([discovery, settings, tag ?? null])));
      // Written at once: no string of the identity needed an escape (no two backslashes in a row in its JSON) nor is outside ASCII.
      if (!got.includes('\\\\') && !/[^\x20-\x7e]/.test(got) && Object.keys(settings).length === 3) written++;
    }
    expect(written).toBeGreaterThan(250);
  });

  it('names a cluster by the contentHash of its identity, as before the identity was written by hand', () => {
    const random = seededRandom(1602);
    for (let i = 0; i < 500; i++) {
      const host = `svc-${Math.floor(random() * 1000)}.team-${Math.floor(random() * 9)}`;
      const port = random() < 0.5 ? 80 : 8080;
      const discovery = { discovery: 'STRICT_DNS' as const, targets: [{ host, port }] };
      const settings = {
        connectTimeoutMs: 3000,
        lbPolicy: 'ROUND_ROBIN' as const,
        dnsLookupFamily: 'V4_ONLY' as const,
      };
      const tag = random() < 0.3 ? 'blue' : undefined;
      const identity = JSON.stringify([discovery, settings, tag ?? null]);
      const want = `cluster_${`${host}_${port}`.replace(/[^A-Za-z0-9_.-]/g, '_')}_${contentHash(identity).slice(0, 8)}`;
      expect(clusterName(undefined, discovery, settings, tag, port)).toBe(want);
    }
  });
});
