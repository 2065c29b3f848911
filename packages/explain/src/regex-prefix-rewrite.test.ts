import { describe, expect, it } from 'vitest';
import type { ForwardAction } from './actions.js';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';

// Found by the conformance runner's real-Envoy mode (oracle case 03, a Mapping with
// prefix_regex and the default rewrite '/'): Envoy 1.39 sent /api/v1/users/x upstream as '/'.
describe('prefix_rewrite on a safe_regex route', () => {
  const model = buildEnvoyModel({
    bootstrap: {
      static_resources: {
        listeners: [
          {
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
                      route_config: {
                        name: 'rc',
                        virtual_hosts: [
                          {
                            name: 'v',
                            domains: ['*'],
                            routes: [
                              {
                                match: { safe_regex: { regex: '/api/v[0-9]+/users/.*' } },
                                route: { cluster: 'users', prefix_rewrite: '/' },
                              },
                              {
                                match: { safe_regex: { regex: '/items/[a-z-]+' } },
                                route: { cluster: 'items', prefix_rewrite: '/v2/items' },
                              },
                            ],
                          },
                        ],
                      },
                      http_filters: [{ name: 'envoy.filters.http.router' }],
                    },
                  },
                ],
              },
            ],
          },
        ],
        clusters: [],
      },
    },
  });
  const upstreamPath = (url: string) =>
    (explainRequest(model, { url }).outcomes[0]?.action as ForwardAction | undefined)?.path;

  it('replaces the whole path (the regex matched all of it), keeping the query', () => {
    expect(upstreamPath('http://h:8080/api/v1/users/x')).toBe('/');
    expect(upstreamPath('http://h:8080/api/v12/users/a/b?q=1')).toBe('/?q=1');
    expect(upstreamPath('http://h:8080/items/red-shoe')).toBe('/v2/items');
  });
});
