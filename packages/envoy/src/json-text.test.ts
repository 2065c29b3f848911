import { TypeUrl, versionHashOfJson } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { RouteConfigText } from './json-text.js';
import { compileIR, readIR } from './testing/golden.js';

/**
 * The version written out plainly: JSON.stringify of the config with each route
 * list replaced by the hash of that list's JSON.stringify text.
 */
function expectedVersion(routeConfig: Record<string, unknown>): string {
  const virtualHosts = routeConfig.virtual_hosts as unknown[];
  const digested = virtualHosts.map((vh) =>
    typeof vh === 'object' && vh !== null && Array.isArray((vh as { routes?: unknown }).routes)
      ? {
          ...vh,
          routes: `routes:${versionHashOfJson(JSON.stringify((vh as { routes: unknown[] }).routes))}`,
        }
      : vh,
  );
  return versionHashOfJson(JSON.stringify({ ...routeConfig, virtual_hosts: digested }));
}

describe('RouteConfigText', () => {
  it('hashes JSON.stringify text for every route config of the full IR', () => {
    const texts = new RouteConfigText();
    for (const rc of compileIR(readIR('full-ir.in.yaml')).xds[TypeUrl.RouteConfiguration]) {
      expect(texts.version(rc.resource)).toBe(expectedVersion(rc.resource));
    }
  });

  it('reuses shared route lists, and writes what JSON.stringify writes for odd values', () => {
    const route = { name: 'r', match: { prefix: '/' }, skipped: undefined, route: { cluster: 'quote' } };
    const routes = [route, route];
    const routeConfig = {
      name: 'rc',
      absent: undefined,
      virtual_hosts: [
        { name: 'a', routes, typed_per_filter_config: { 'x/y': { '"q"': 1 } } },
        { name: 'b', routes },
        { name: 'c', routes: [route, undefined, 'not a route'] },
        'not a virtual host',
      ],
    };
    const texts = new RouteConfigText();
    expect(texts.version(routeConfig)).toBe(expectedVersion(routeConfig));
    expect(texts.version(routeConfig)).toBe(expectedVersion(routeConfig));
  });

  it('versions route configs by content: equal content, equal version; any route change, a new one', () => {
    const config = (prefix: string) => {
      const routes = [{ name: 'r', match: { prefix }, route: { cluster: 'quote' } }];
      return {
        name: 'rc',
        virtual_hosts: [
          { name: 'a', routes },
          { name: 'b', routes },
        ],
      };
    };
    const texts = new RouteConfigText();
    const a = config('/a');
    expect(texts.version(a)).toBe(new RouteConfigText().version(config('/a')));
    expect(texts.version(a)).not.toBe(texts.version(config('/b')));
    const renamed = { ...a, virtual_hosts: [a.virtual_hosts[0], { ...a.virtual_hosts[1]!, name: 'c' }] };
    expect(texts.version(renamed)).not.toBe(texts.version(a));
  });
});

describe('RouteConfigText with shared routes noted', () => {
  it('gives the same versions when routes are shared between lists, text made once per route', () => {
    const shared = { name: 'wildcard', match: { prefix: '/' }, route: { cluster: 'quote' } };
    const own = (n: number) => ({ name: `own-${n}`, match: { prefix: `/${n}/` }, route: { cluster: 'q' } });
    const configs = [0, 1, 2].map((n) => ({
      name: `rc-${n}`,
      virtual_hosts: [
        { name: `host-${n}`, routes: [own(n), shared, undefined, own(n + 10)] },
        { name: 'alone', routes: [own(n + 20)] },
        { name: 'only-shared', routes: [shared, shared] },
        { name: 'empty', routes: [] },
        { name: 'shared-last', routes: [undefined, own(n + 30), shared] },
        // Mostly routes of its own: serialized whole, natively (the shared route again).
        { name: 'mostly-own', routes: [own(n + 40), own(n + 41), own(n + 42), own(n + 43), shared] },
      ],
    }));
    const noted = new RouteConfigText();
    noted.noteSharedRoutes(configs.map((resource) => ({ resource })));
    let stringified = 0;
    const toJSON = () => {
      stringified++;
      return { name: 'wildcard', match: { prefix: '/' }, route: { cluster: 'quote' } };
    };
    Object.defineProperty(shared, 'toJSON', { value: toJSON, enumerable: false });
    for (const rc of configs) expect(noted.version(rc)).toBe(expectedVersion(rc));
    // Serialized once for the lists made mostly of shared routes, once more in each list made
    // mostly of its own routes, then once per occurrence by expectedVersion.
    expect(stringified).toBe(1 + configs.length + configs.length * 5);
  });
});
