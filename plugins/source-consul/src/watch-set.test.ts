import type { StoredResource } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { consulServiceName, watchSet } from './watch-set.js';

const at = { source: 'test' };
const resolver = (name: string, address: string, datacenter: string): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'ConsulResolver',
    metadata: { name, namespace: 'default' },
    spec: { address, datacenter },
  },
  origin: at,
});
const mapping = (name: string, spec: Record<string, unknown>): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { prefix: `/${name}/`, ...spec },
  },
  origin: at,
});
const module = (resolverName: string): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Module',
    metadata: { name: 'ambassador', namespace: 'default' },
    spec: { config: { resolver: resolverName } },
  },
  origin: at,
});

const tcpMapping = (name: string, spec: Record<string, unknown>): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'TCPMapping',
    metadata: { name, namespace: 'default' },
    spec: { port: 6000, ...spec },
  },
  origin: at,
});

describe('watchSet', () => {
  it("watches a TCPMapping's service when it names a ConsulResolver; the Module's default is for Mappings only", () => {
    const set = watchSet([
      resolver('consul', '127.0.0.1:8500', 'dc1'),
      module('consul'),
      tcpMapping('db', { service: 'postgres:5432', resolver: 'consul' }),
      tcpMapping('cache', { service: 'redis:6379' }),
    ]);
    expect([...set.keys()]).toEqual(['consul/dc1/postgres']);
  });

  it('watches the services of Mappings on a ConsulResolver, per datacenter, and nothing else', () => {
    const set = watchSet([
      resolver('east', 'consul-east:8500', 'east'),
      resolver('west', 'consul-west:8500', 'west'),
      mapping('a', { service: 'orders:8080', resolver: 'east' }),
      mapping('b', { service: 'https://orders', resolver: 'west' }),
      mapping('c', { service: 'orders', resolver: 'east' }), // same service, same datacenter: one watch
      mapping('d', { service: 'web' }), // default resolver: Kubernetes
      mapping('e', { service: 'x', resolver: 'nope' }),
    ]);
    expect([...set.values()].map((w) => [w.key, w.address, w.resolver.name])).toEqual([
      ['consul/east/orders', 'consul-east:8500', 'east'],
      ['consul/west/orders', 'consul-west:8500', 'west'],
    ]);
  });

  it("follows the Module's default resolver, which a Mapping's own resolver overrides", () => {
    const set = watchSet([
      resolver('consul', '127.0.0.1:8500', 'dc1'),
      module('consul'),
      mapping('a', { service: 'billing' }),
      mapping('b', { service: 'web', resolver: 'kubernetes-service' }),
    ]);
    expect([...set.keys()]).toEqual(['consul/dc1/billing']);
  });

  it('is empty without a ConsulResolver, and ignores resolvers without address or datacenter', () => {
    expect(watchSet([mapping('a', { service: 'x', resolver: 'c' })]).size).toBe(0);
    const broken = resolver('c', '', 'dc1');
    expect(watchSet([broken, mapping('a', { service: 'x', resolver: 'c' })]).size).toBe(0);
  });

  it('names services as the http plugin parses them', () => {
    expect(consulServiceName('http://orders:8080/')).toBe('orders');
    expect(consulServiceName('orders.prod')).toBe('orders.prod');
    expect(consulServiceName('[::1]:80')).toBeUndefined();
    expect(consulServiceName('a b')).toBeUndefined();
  });
});
