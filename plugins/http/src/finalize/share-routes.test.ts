import { compile, type IRHttpFilterChain, type Resource, type StoredResource } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import { deepEqual } from './share-routes.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });
const listener = (name: string, port: number, protocol: string, securityModel = 'XFP'): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Listener',
  metadata: { name, namespace: 'default' },
  spec: { port, protocol, securityModel, hostBinding: { namespace: { from: 'ALL' } } },
});
const host = (name: string, hostname: string): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Host',
  metadata: { name, namespace: 'default' },
  spec: { hostname, requestPolicy: { insecure: { action: 'Redirect' } } },
});
const mapping = (name: string, hostname: string): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  metadata: { name, namespace: 'default' },
  spec: { hostname, prefix: `/${name}/`, service: name },
});

function chainsOf(resources: Resource[]) {
  const result = compile(resources.map(stored), [httpPlugin]);
  const chains: Record<string, string> = {};
  for (const l of Object.values(result.ir.listeners)) {
    for (const c of l.filterChains) chains[`${l.name} ${c.name}`] = (c as IRHttpFilterChain).routeConfigName;
  }
  return { chains, configs: result.ir.routeConfigs };
}

describe('shared route configurations', () => {
  const inputs = [
    listener('edge-http', 8080, 'HTTP'),
    listener('edge-https', 8443, 'HTTPS'),
    host('a', 'a.example.com'),
    host('b', 'b.example.com'),
    mapping('one', 'a.example.com'),
    mapping('two', 'b.example.com'),
  ];

  it('serves one route table to every chain that had an identical one, under the first owner name', () => {
    const { chains, configs } = chainsOf(inputs);
    expect(chains).toEqual({
      'default/edge-http cleartext': 'default/edge-http/cleartext',
      'default/edge-https cleartext': 'default/edge-http/cleartext',
    });
    expect(Object.keys(configs)).toEqual(['default/edge-http/cleartext']);
    expect(configs['default/edge-http/cleartext']!.provenance.map((r) => `${r.kind} ${r.name}`)).toEqual([
      'Host a',
      'Host b',
      'Listener edge-http',
      'Listener edge-https',
    ]);
  });

  it('names the shared table the same whatever the input order', () => {
    expect(chainsOf([...inputs].reverse())).toEqual(chainsOf(inputs));
  });

  it('keeps route tables that differ apart', () => {
    // A SECURE Listener routes without the x-forwarded-proto split: a different table.
    const { chains, configs } = chainsOf([
      ...inputs.slice(0, 1),
      listener('edge-https', 8443, 'HTTPS', 'SECURE'),
      ...inputs.slice(2),
    ]);
    expect(chains).toEqual({
      'default/edge-http cleartext': 'default/edge-http/cleartext',
      'default/edge-https cleartext': 'default/edge-https/cleartext',
    });
    expect(Object.keys(configs).sort()).toEqual([
      'default/edge-http/cleartext',
      'default/edge-https/cleartext',
    ]);
  });
});

describe('deepEqual', () => {
  it('compares plain data by structure', () => {
    expect(deepEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});
