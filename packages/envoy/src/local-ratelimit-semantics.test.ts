import { describe, expect, it } from 'vitest';
import { validateResource } from './validate.js';

const type = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const perFilter = (config: Record<string, unknown>) => ({
  'envoy.filters.http.local_ratelimit': { '@type': type, stat_prefix: 'p', ...config },
});
const bucket = { token_bucket: { max_tokens: 1, tokens_per_fill: 1, fill_interval: '1s' } };

const routeConfig = (
  onRoute: Record<string, unknown> | undefined,
  onHost: Record<string, unknown> | undefined,
) => ({
  '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  name: 'rc',
  virtual_hosts: [
    {
      name: 'vh',
      domains: ['*'],
      ...(onHost ? { typed_per_filter_config: perFilter(onHost) } : {}),
      routes: [
        {
          match: { prefix: '/' },
          route: { cluster: 'c' },
          ...(onRoute ? { typed_per_filter_config: perFilter(onRoute) } : {}),
        },
      ],
    },
  ],
});

const listener = {
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
            stat_prefix: 'h',
            rds: { route_config_name: 'rc', config_source: { ads: {} } },
            http_filters: [
              {
                name: 'envoy.filters.http.local_ratelimit',
                typed_config: { '@type': type, stat_prefix: 'l' },
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
};

/** What a real Envoy 1.39.3 refused (tests/e2e-envoy/ratelimit.test.ts found it), now caught before Envoy. */
describe('a local rate limit per route or virtual host needs a token bucket', () => {
  it('is refused without one, on the route and on the virtual host', () => {
    expect(validateResource(routeConfig({}, undefined)).map((i) => i.path)).toEqual([
      '/virtual_hosts/0/routes/0/typed_per_filter_config/envoy.filters.http.local_ratelimit',
    ]);
    expect(validateResource(routeConfig(undefined, {})).map((i) => i.path)).toEqual([
      '/virtual_hosts/0/typed_per_filter_config/envoy.filters.http.local_ratelimit',
    ]);
  });

  it('is accepted with one, and the connection manager’s own config may leave it out', () => {
    expect(validateResource(routeConfig(bucket, bucket))).toEqual([]);
    expect(validateResource(listener)).toEqual([]);
  });
});
