import { TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { Json } from './lower/index.js';
import { compileIR, readIR } from './testing/golden.js';
import { validateResource } from './validate.js';
import {
  matchVirtualHost,
  onDemandFilterName,
  vhdsNamespaceOf,
  vhdsResourceName,
  vhdsRouteConfiguration,
  virtualHostProvenance,
  virtualHostProvenanceOf,
  virtualHostTypeUrl,
  withOnDemandFilter,
} from './vhds.js';

function lowered() {
  const result = compileIR(readIR('full-ir.in.yaml'));
  return {
    listeners: result.xds[TypeUrl.Listener].map((r) => r.resource as Json),
    routeConfigs: result.xds[TypeUrl.RouteConfiguration].map((r) => r.resource as Json),
  };
}

describe('VHDS form of a route configuration', () => {
  it('moves every virtual host into a VirtualHost resource named <route config>/<vhost>, and both validate', () => {
    const { routeConfigs } = lowered();
    expect(routeConfigs.length).toBeGreaterThan(0);
    for (const original of routeConfigs) {
      const form = vhdsRouteConfiguration(original);
      expect(form.routeConfiguration.virtual_hosts).toBeUndefined();
      expect(form.routeConfiguration.vhds).toEqual({
        config_source: { ads: {}, resource_api_version: 'V3' },
      });
      expect(validateResource(form.routeConfiguration)).toEqual([]);
      const originals = original.virtual_hosts as Json[];
      expect(form.virtualHosts).toHaveLength(originals.length);
      form.virtualHosts.forEach((vh, i) => {
        expect(vh['@type']).toBe(virtualHostTypeUrl);
        expect(vh.name).toBe(vhdsResourceName(String(original.name), String(originals[i]?.name)));
        expect(vhdsNamespaceOf(String(vh.name))).toBe(original.name);
        // Everything else of the virtual host is as lowered.
        expect({ ...vh, '@type': undefined, name: undefined }).toEqual({
          ...originals[i],
          name: undefined,
          '@type': undefined,
        });
        expect(validateResource(vh)).toEqual([]);
      });
    }
  });

  it("escapes '/' in virtual host names so that the route configuration is all before the last '/'", () => {
    expect(vhdsResourceName('default/edge/cleartext', 'default/foo')).toBe(
      'default/edge/cleartext/default%2Ffoo',
    );
    expect(vhdsResourceName('rc', 'a%2Fb')).not.toBe(vhdsResourceName('rc', 'a/b'));
    expect(vhdsNamespaceOf(vhdsResourceName('default/edge/cleartext', 'x/y/z'))).toBe(
      'default/edge/cleartext',
    );
  });

  it('puts the on-demand filter just before the router of the connection managers that use a VHDS table', () => {
    const { listeners, routeConfigs } = lowered();
    const names = new Set(routeConfigs.map((rc) => String(rc.name)));
    let seen = 0;
    for (const listener of listeners) {
      const changed = withOnDemandFilter(listener, names);
      expect(validateResource(changed)).toEqual([]);
      for (const chain of (changed.filter_chains as Json[]) ?? []) {
        for (const filter of (chain.filters as Json[]) ?? []) {
          const config = filter.typed_config as Json;
          if (!config.rds) continue;
          const httpFilters = (config.http_filters as Json[]).map((f) => f.name);
          expect(httpFilters.at(-2)).toBe(onDemandFilterName);
          expect(httpFilters.at(-1)).toBe('envoy.filters.http.router');
          seen++;
        }
      }
      // Idempotent, and nothing changes for tables served whole.
      expect(withOnDemandFilter(changed, names)).toBe(changed);
      expect(withOnDemandFilter(listener, new Set())).toBe(listener);
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('matchVirtualHost (Envoy domain matching)', () => {
  const lists = [
    ['*'],
    ['*.example.com'],
    ['foo.example.com', 'FOO.example.org'],
    ['api.*'],
    ['*.b.example.com'],
  ];
  it.each([
    ['foo.example.com', 2],
    ['Foo.Example.ORG', 2],
    ['bar.example.com', 1],
    ['x.b.example.com', 4],
    ['api.other.net', 3],
    ['other.net', 0],
    ['foo.example.com:8080', 0],
    ['.example.com', 0],
  ])('%s → %i', (authority, index) => {
    expect(matchVirtualHost(lists, authority)).toBe(index);
  });
  it('is -1 when nothing matches', () => {
    expect(matchVirtualHost([['a.com'], ['*.b.com']], 'c.com')).toBe(-1);
  });
});

describe('virtualHostProvenance', () => {
  const ref = (kind: string, name: string, namespace?: string) => ({
    apiVersion: 'getambassador.io/v3alpha1',
    kind,
    name,
    ...(namespace ? { namespace } : {}),
  });
  const table = [
    ref('Listener', 'edge', 'default'),
    ref('Host', 'a', 'default'),
    ref('Host', 'b', 'default'),
    ref('Mapping', 'a-api'), // no namespace: 'default', as the http plugin names its route
    ref('Mapping', 'shared', 'default'),
    ref('Mapping', 'b-api', 'default'),
    ref('Mapping', 'a', 'default'), // a Mapping named like Host a, routed on Host b only
  ];

  it("keeps the Host it is named after and the resources its routes are named after, not the Listener's or other Hosts'", () => {
    const vh = {
      name: 'default/a',
      routes: [
        { name: 'default/a-api' },
        { name: 'default/shared' },
        { name: 'internal_liveness_probe_mapping' },
      ],
    };
    expect(virtualHostProvenance(table, vh).map((r) => `${r.kind} ${r.name}`)).toEqual([
      'Host a',
      'Mapping a-api',
      'Mapping shared',
    ]);
    const other = {
      name: 'default/b',
      routes: [{ name: 'default/b-api' }, { name: 'default/shared' }, { name: 'default/a' }],
    };
    expect(virtualHostProvenance(table, other).map((r) => `${r.kind} ${r.name}`)).toEqual([
      'Host b',
      'Mapping shared',
      'Mapping b-api',
      'Mapping a',
    ]);
  });

  it("is the table's whole provenance when nothing in it is named after the virtual host or its routes", () => {
    const vh = { name: 'synthesized', routes: [{ name: 'ingress-route' }] };
    expect(virtualHostProvenance(table, vh)).toEqual(table);
  });

  it('indexed once per table, it finds what a walk over the table finds, in the same order (random tables)', () => {
    // The walk it replaced, kept here as the oracle.
    const walk = (refs: ReturnType<typeof ref>[], vh: { name: string; routes: { name?: unknown }[] }) => {
      const routeNames = new Set(vh.routes.map((r) => r.name).filter((n) => typeof n === 'string'));
      const own = refs.filter((r) => {
        const id = `${r.namespace ?? 'default'}/${r.name}`;
        return r.kind === 'Host' ? id === vh.name : r.kind !== 'Listener' && routeNames.has(id);
      });
      return own.length > 0 ? own : [...refs];
    };
    let seed = 15;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const kinds = ['Listener', 'Host', 'Mapping', 'TCPMapping'];
    const names = ['a', 'b', 'c', 'd', 'e'];
    const namespaces = [undefined, 'default', 'other'];
    for (let round = 0; round < 300; round++) {
      const refs = Array.from({ length: random(12) }, () =>
        ref(kinds[random(4)] as string, names[random(5)] as string, namespaces[random(3)]),
      );
      const of = virtualHostProvenanceOf(refs);
      for (let v = 0; v < 4; v++) {
        const id = () => `${namespaces[random(3)] ?? 'default'}/${names[random(5)]}`;
        const vh = {
          name: id(),
          routes: Array.from({ length: random(5) }, () => (random(6) === 0 ? { name: 7 } : { name: id() })),
        };
        const expected = walk(refs, vh);
        expect(of(vh)).toEqual(expected);
        expect(virtualHostProvenance(refs, vh)).toEqual(expected);
      }
    }
  });
});
