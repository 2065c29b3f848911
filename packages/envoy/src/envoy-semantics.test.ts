import { describe, expect, it } from 'vitest';
import { validateResource } from './validate.js';

/** A RouteConfiguration whose one route adds this request header (the paths below point into it). */
function routeAdding(key: string, value: string): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    name: 'r',
    virtual_hosts: [
      {
        name: 'v',
        domains: ['*'],
        routes: [
          {
            match: { prefix: '/' },
            route: { cluster: 'c' },
            request_headers_to_add: [{ header: { key, value } }],
          },
        ],
      },
    ],
  };
}

const header = '/virtual_hosts/0/routes/0/request_headers_to_add/0/header';

// Each case was checked against Envoy 1.39.3 (`envoy --mode validate`): the protos accept these
// values, Envoy's header parser refuses them when it loads the route.
describe("Envoy's header parser rules, beyond the protos", () => {
  it.each([
    ['a lone percent sign', 'x-discount', '100%', `${header}/value`],
    ['a percent sign starting no command', 'x-a', '50% off', `${header}/value`],
    ['Host', 'Host', 'example.com', `${header}/key`],
    ['a pseudo-header', ':path', '/x', `${header}/key`],
  ])('refuses %s', (_what, key, value, path) => {
    expect(validateResource(routeAdding(key, value)).map((i) => i.path)).toEqual([path]);
  });

  it.each([
    ['an escaped percent sign', '100%%'],
    ['a command', '%DOWNSTREAM_REMOTE_ADDRESS%'],
    ['a command with arguments and a length', 'id=%REQ(x-request-id):8%'],
    ['no percent sign at all', 'plain'],
  ])('accepts %s', (_what, value) => {
    expect(validateResource(routeAdding('x-a', value))).toEqual([]);
  });
});
