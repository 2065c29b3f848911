import {
  type IRRoute,
  type IRRouteConfig,
  KeptByString,
  lazyField,
  type ResourceRef,
  seededRandom,
  TypeUrl,
  versionHash,
} from '@attache/core';
import { describe, expect, it } from 'vitest';
import { admitLowered } from './admit.js';
import { RouteConfigText } from './json-text.js';
import { LazyXdsResource, lazyXdsResource } from './lazy-resource.js';
import { lowerRouteConfig } from './lower/route-config.js';

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

describe('the admitted resources of a one-shot compile (AdmittedResource)', () => {
  const ref = (name: string): ResourceRef => ({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    name,
  });

  /** A route configuration of random routes, some invalid (an empty cluster name: dropped and blamed). */
  function randomRouteConfig(random: () => number, n: number): IRRouteConfig {
    const routes: IRRoute[] = [];
    const count = 1 + Math.floor(random() * 6);
    for (let i = 0; i < count; i++) {
      const bad = random() < 0.3;
      routes.push({
        name: `r${n}-${i}`,
        match: { path: { kind: 'prefix', value: `/p${Math.floor(random() * 4)}/` } },
        action: {
          kind: 'forward',
          clusters: [{ cluster: bad ? '' : `c${Math.floor(random() * 3)}`, weight: 100 }],
        },
        provenance: [ref(`m${Math.floor(random() * 5)}`)],
      });
    }
    return {
      name: `rc${n}`,
      virtualHosts: [{ name: `vh${n}`, domains: ['*'], routes, provenance: [ref(`host${n}`)] }],
      provenance: random() < 0.5 ? [ref(`listener${n}`)] : [],
    } as IRRouteConfig;
  }

  it('read as the eager resources an incremental compiler makes: values, keys, spread, JSON, clone', () => {
    const random = seededRandom(1313);
    for (let n = 0; n < 60; n++) {
      const lowered = lowerRouteConfig(randomRouteConfig(random, n));
      const lazy = admitLowered(lowered, new RouteConfigText(undefined), undefined, undefined);
      const eager = admitLowered(lowered, new RouteConfigText(undefined), undefined, new KeptByString());
      expect(lazy.rejections).toEqual(eager.rejections);
      const [a, b] = [lazy.resource!, eager.resource!];
      expect(a).toBeInstanceOf(LazyXdsResource);
      expect(b).not.toBeInstanceOf(LazyXdsResource);
      expect(a.version).toBe(b.version);
      // In random order: either value first, or one assigned before the other is read.
      const order = random();
      if (order < 0.3) expect(a.provenance).toEqual(b.provenance);
      if (order > 0.8) {
        const lazyAgain = admitLowered(lowered, undefined, undefined, undefined).resource!;
        lazyAgain.version = 'assigned';
        expect(lazyAgain.version).toBe('assigned');
        expect(lazyAgain.provenance).toEqual(b.provenance);
      }
      expect(Object.keys(a)).toEqual(Object.keys(b));
      expect({ ...a }).toEqual({ ...b });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(structuredClone(a)).toEqual(structuredClone(b));
    }
  });
});
