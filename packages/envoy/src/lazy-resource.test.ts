import { lazyField, type ResourceRef, TypeUrl, versionHash } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { lazyXdsResource } from './lazy-resource.js';

const resource = { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'c' };
const refs: ResourceRef[] = [{ apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', name: 'm' }];

function counted() {
  const calls = { version: 0, provenance: 0 };
  const lazy = lazyXdsResource(
    { typeUrl: TypeUrl.Cluster, name: 'c', resource },
    () => {
      calls.version++;
      return versionHash(resource);
    },
    () => {
      calls.provenance++;
      return refs;
    },
  );
  return { lazy, calls };
}

describe('lazyXdsResource', () => {
  it('computes version and provenance on first read only, once each', () => {
    const { lazy, calls } = counted();
    expect(lazy.resource).toBe(resource);
    expect(calls).toEqual({ version: 0, provenance: 0 });
    expect(lazy.version).toBe(versionHash(resource));
    expect(lazy.version).toBe(versionHash(resource));
    expect(calls).toEqual({ version: 1, provenance: 0 });
    expect(lazy.provenance).toBe(refs);
    expect(lazy.provenance).toBe(refs);
    expect(calls).toEqual({ version: 1, provenance: 1 });
  });

  it('reads like the eager resource: keys in order, spread, JSON, structured clone, toEqual', () => {
    const eager = {
      typeUrl: TypeUrl.Cluster,
      name: 'c',
      resource,
      version: versionHash(resource),
      provenance: refs,
    };
    expect(Object.keys(counted().lazy)).toEqual(Object.keys(eager));
    expect({ ...counted().lazy }).toEqual(eager);
    expect(JSON.stringify(counted().lazy)).toBe(JSON.stringify(eager));
    expect(structuredClone(counted().lazy)).toEqual(eager);
    expect(counted().lazy).toEqual(eager);
  });

  it('takes an assigned value instead of computing one', () => {
    const { lazy, calls } = counted();
    lazy.version = 'v1';
    lazy.provenance = [];
    expect(lazy.version).toBe('v1');
    expect(lazy.provenance).toEqual([]);
    expect(calls).toEqual({ version: 0, provenance: 0 });
  });

  it('has the property descriptors lazyField gives (own accessors, enumerable, configurable, in order)', () => {
    const viaLazyField = { typeUrl: TypeUrl.Cluster, name: 'c', resource } as Record<string, unknown>;
    lazyField(viaLazyField, 'version', () => 'v');
    lazyField(viaLazyField, 'provenance', () => refs);
    const shape = (o: object) =>
      Object.entries(Object.getOwnPropertyDescriptors(o)).map(([key, d]) => ({
        key,
        enumerable: d.enumerable,
        configurable: d.configurable,
        accessor: typeof d.get === 'function' && typeof d.set === 'function',
        writable: d.writable,
      }));
    expect(shape(counted().lazy)).toEqual(shape(viaLazyField));
  });
});
