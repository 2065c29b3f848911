import { describe, expect, it } from 'vitest';
import { validateResource } from './validate.js';

const cluster = (connectTimeout: string) => ({
  '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  name: 'c',
  type: 'STRICT_DNS',
  connect_timeout: connectTimeout,
  load_assignment: {
    cluster_name: 'c',
    endpoints: [
      { lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'c', port_value: 80 } } } }] },
    ],
  },
});

const routeTimeout = (timeout: string) => ({
  '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  name: 'r',
  virtual_hosts: [
    { name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c', timeout } }] },
  ],
});

// Bisected on Envoy 1.39.3 (`envoy --mode validate`): 9223372035.999999999s is the longest duration it takes.
describe("Envoy's duration limit, below protobuf's", () => {
  it.each([
    ['a cluster connect timeout', cluster('9223372036s'), '/connect_timeout'],
    ['a route timeout', routeTimeout('9223372036s'), '/virtual_hosts/0/routes/0/route/timeout'],
    [
      'one just under protobuf’s own limit',
      routeTimeout('315576000000s'),
      '/virtual_hosts/0/routes/0/route/timeout',
    ],
  ])('refuses %s of 9223372036 s or more', (_what, resource, path) => {
    expect(validateResource(resource).map((i) => i.path)).toEqual([path]);
  });

  it('accepts the longest duration Envoy takes', () => {
    expect(validateResource(cluster('9223372035.999999999s'))).toEqual([]);
    expect(validateResource(routeTimeout('9223372035s'))).toEqual([]);
  });
});

const regexRoute = (regex: string, maxProgramSize?: number) => ({
  '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  name: 'r',
  virtual_hosts: [
    {
      name: 'v',
      domains: ['*'],
      routes: [
        {
          match: {
            safe_regex:
              maxProgramSize === undefined
                ? { regex }
                : { google_re2: { max_program_size: maxProgramSize }, regex },
          },
          route: { cluster: 'c' },
        },
      ],
    },
  ],
});

// Envoy 1.39.3: "regex '/[a-z]{500}' RE2 program size of 505 > max program size of 200".
describe("Envoy's RE2 program-size limit", () => {
  const at = '/virtual_hosts/0/routes/0/match/safe_regex/regex';
  it('refuses a regex over the max_program_size it carries, or over 100 without one', () => {
    expect(validateResource(regexRoute('/[a-z]{500}', 200)).map((i) => i.path)).toEqual([at]);
    expect(validateResource(regexRoute('/[a-z]{100}')).map((i) => i.path)).toEqual([at]);
  });

  it('accepts one within it', () => {
    expect(validateResource(regexRoute('/[a-z]{500}', 505))).toEqual([]);
    expect(validateResource(regexRoute('/[a-z]{95}'))).toEqual([]);
  });
});

const luaListener = (script: string) => ({
  '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
  name: 'l',
  address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
  filter_chains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type':
              'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
            stat_prefix: 'x',
            rds: { route_config_name: 'r', config_source: { ads: {}, resource_api_version: 'V3' } },
            http_filters: [
              {
                name: 'envoy.filters.http.lua',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
                  default_source_code: { inline_string: script },
                },
              },
              {
                name: 'envoy.filters.http.router',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                },
              },
            ],
          },
        },
      ],
    },
  ],
});

// Envoy 1.39.3: "script load error: [string "0"]:1: unexpected symbol near '0'", the listener refused.
describe("Envoy's Lua filter loads its script", () => {
  it('refuses a script LuaJIT cannot load', () => {
    expect(validateResource(luaListener('0')).map((i) => i.path)).toEqual([
      '/filter_chains/0/filters/0/typed_config/http_filters/0/typed_config/default_source_code/inline_string',
    ]);
  });

  it('accepts one it can', () => {
    expect(validateResource(luaListener('function envoy_on_request(h) end'))).toEqual([]);
  });
});
