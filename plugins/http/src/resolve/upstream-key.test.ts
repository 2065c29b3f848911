import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { mappingFieldsOf } from '../ingest/mapping-fields.js';
import type { HttpMapping } from '../model.js';
import { onlyService, upstreamKeyOf } from './upstreams.js';

/** The key as first written: every upstream field the spec sets, `index:JSON`, sorted, after the namespace. */
const reference = (namespace: string, spec: Record<string, unknown>): string => {
  const all = [
    'service',
    'resolver',
    'tls',
    'dns_type',
    'respect_dns_ttl',
    'enable_ipv4',
    'enable_ipv6',
    'connect_timeout_ms',
    'cluster_idle_timeout_ms',
    'cluster_max_connection_lifetime_ms',
    'circuit_breakers',
    'load_balancer',
    'keepalive',
    'health_checks',
    'outlier_detection',
    'cluster_tag',
    'stats_name',
  ];
  const parts = Object.keys(spec)
    .filter((f) => all.includes(f) && spec[f] !== undefined)
    .map((f) => `${all.indexOf(f)}:${JSON.stringify(spec[f])}`)
    .sort();
  return `${JSON.stringify(namespace)}\n${parts.join('\n')}`;
};

const mapping = (namespace: string, spec: Record<string, unknown>) =>
  ({ namespace, spec }) as unknown as HttpMapping;

describe('upstream key', () => {
  it('is the sorted parts of the upstream fields a spec sets, in any key order, with none, one or many', () => {
    const random = seededRandom(15);
    const next = (n: number) => Math.floor(random() * n);
    const values: Record<string, unknown[]> = {
      service: ['a', 'b:8080', 'https://c'],
      resolver: ['r1', 'r2'],
      tls: ['t', true],
      dns_type: ['logical_dns', 'strict_dns'],
      connect_timeout_ms: [100, 200],
      cluster_tag: ['x', 'y'],
      stats_name: ['s'],
      load_balancer: [{ policy: 'ring_hash', header: 'h' }, { policy: 'round_robin' }],
      circuit_breakers: [[{ max_connections: 1 }], [{ max_connections: 2 }]],
      prefix: ['/a/', '/b/'],
      timeout_ms: [1, 2],
    };
    const names = Object.keys(values);
    const seen = new Map<string, string>();
    for (let round = 0; round < 2000; round++) {
      const spec: Record<string, unknown> = {};
      const count = next(6);
      for (let k = 0; k < count; k++) {
        const name = names[next(names.length)]!;
        const choices = values[name]!;
        spec[name] = choices[next(choices.length)];
      }
      if (next(5) === 0) spec.stats_name = undefined;
      const namespace = next(2) ? 'default' : 'team-a';
      const key = upstreamKeyOf(mapping(namespace, spec));
      expect(key).toBe(reference(namespace, spec));
      // The same fields in reverse key order: the same key.
      const reversed = Object.fromEntries(Object.entries(spec).reverse());
      expect(upstreamKeyOf(mapping(namespace, reversed))).toBe(key);
      // Equal keys only for equal upstream fields.
      const fieldsOnly = JSON.stringify([
        namespace,
        Object.entries(spec)
          .filter(([f, v]) => v !== undefined && f !== 'prefix' && f !== 'timeout_ms')
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      ]);
      const before = seen.get(key);
      if (before !== undefined) expect(before).toBe(fieldsOnly);
      else seen.set(key, fieldsOnly);
    }
    expect(seen.size).toBeGreaterThan(200);
  });

  it('onlyService: a service exactly when the key is that of the service alone (plain compile lookup)', () => {
    const random = seededRandom(16);
    const next = (n: number) => Math.floor(random() * n);
    const values: Record<string, unknown[]> = {
      service: ['a', 'b:8080', 'https://c', 5, ''],
      tls: ['t'],
      resolver: ['r1'],
      stats_name: ['s', undefined],
      load_balancer: [{ policy: 'round_robin' }, undefined],
      prefix: ['/a/'],
      timeout_ms: [1],
      weight: [10],
      dns_type: ['logical_dns'],
      respect_dns_ttl: [false],
      enable_ipv4: [true],
      enable_ipv6: [false],
      connect_timeout_ms: [100],
      cluster_idle_timeout_ms: [0],
      cluster_max_connection_lifetime_ms: [1],
      circuit_breakers: [[]],
      keepalive: [{ time: 1 }],
      health_checks: [[]],
      outlier_detection: [{}],
      cluster_tag: [''],
    };
    const names = Object.keys(values);
    let alone = 0;
    for (let round = 0; round < 12000; round++) {
      const spec: Record<string, unknown> = {};
      const count = next(5);
      for (let k = 0; k < count; k++) {
        const name = names[next(names.length)]!;
        const choices = values[name]!;
        spec[name] = choices[next(choices.length)];
      }
      const namespace = next(2) ? 'default' : 'team-a';
      const key = upstreamKeyOf(mapping(namespace, spec));
      const service = onlyService(mappingFieldsOf(spec as never));
      const serviceKey = `${JSON.stringify(namespace)}\n0:${JSON.stringify(spec.service)}`;
      expect(service !== undefined, JSON.stringify(spec)).toBe(
        typeof spec.service === 'string' && key === serviceKey,
      );
      if (service !== undefined) {
        expect(service).toBe(spec.service);
        alone++;
      }
    }
    expect(alone).toBeGreaterThan(150);
  });
});
