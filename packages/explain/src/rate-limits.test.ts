import { describe, expect, it } from 'vitest';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';

const localType = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const bucket = (maxTokens: number, fill: string) => ({
  '@type': localType,
  stat_prefix: 'b',
  token_bucket: { max_tokens: maxTokens, tokens_per_fill: maxTokens, fill_interval: fill },
  filter_enabled: { runtime_key: 'e', default_value: { numerator: 100, denominator: 'HUNDRED' } },
  filter_enforced: { runtime_key: 'f', default_value: { numerator: 100, denominator: 'HUNDRED' } },
});

/** What the feature-ratelimit plugin emits: the two filters, labels as rate_limits, buckets per route and vhost. */
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
                    http_filters: [
                      {
                        name: 'envoy.filters.http.local_ratelimit',
                        typed_config: { '@type': localType, stat_prefix: 'local_rate_limit' },
                      },
                      {
                        name: 'envoy.filters.http.ratelimit',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
                          domain: 'edge',
                          failure_mode_deny: true,
                          rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: 'rls' } } },
                        },
                      },
                      { name: 'envoy.filters.http.router' },
                    ],
                    route_config: {
                      virtual_hosts: [
                        {
                          name: 'vh',
                          domains: ['*'],
                          typed_per_filter_config: {
                            'envoy.filters.http.local_ratelimit': bucket(100, '1s'),
                          },
                          routes: [
                            {
                              match: { prefix: '/api/' },
                              route: {
                                cluster: 'api',
                                rate_limits: [
                                  {
                                    stage: 0,
                                    actions: [
                                      { remote_address: {} },
                                      { destination_cluster: {} },
                                      {
                                        generic_key: {
                                          descriptor_key: 'generic_key',
                                          descriptor_value: 'api',
                                        },
                                      },
                                    ],
                                  },
                                  {
                                    stage: 0,
                                    actions: [
                                      {
                                        request_headers: {
                                          descriptor_key: 'tenant',
                                          header_name: 'x-tenant',
                                        },
                                      },
                                    ],
                                  },
                                  {
                                    stage: 0,
                                    actions: [
                                      {
                                        generic_key: {
                                          descriptor_key: 'generic_key',
                                          descriptor_value: 'opt',
                                        },
                                      },
                                      {
                                        request_headers: {
                                          descriptor_key: 'plan',
                                          header_name: 'x-plan',
                                          skip_if_absent: true,
                                        },
                                      },
                                    ],
                                  },
                                ],
                              },
                              typed_per_filter_config: {
                                'envoy.filters.http.local_ratelimit': bucket(5, '0.500s'),
                              },
                            },
                            { match: { prefix: '/' }, route: { cluster: 'web' } },
                          ],
                        },
                      ],
                    },
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

const notes = (url: string, headers: Array<[string, string]> = []) =>
  explainRequest(model, { method: 'GET', url, headers }).notes.join('\n');

describe('explain: rate-limit decisions on the route it picks', () => {
  it('the descriptors the global filter would send, with this request’s header values', () => {
    const text = notes('http://x/api/a', [
      ['x-tenant', 'acme'],
      ['x-plan', 'gold'],
    ]);
    expect(text).toContain(
      'rate limit (domain edge): sends (remote_address=<client IP>, destination_cluster=api, generic_key=api), (tenant=acme), (generic_key=opt, plan=gold); 500 if the service is down',
    );
  });

  it('a missing header: that group sends nothing; skip_if_absent leaves only the entry out', () => {
    const text = notes('http://x/api/a');
    expect(text).toContain('none (no x-tenant header), (generic_key=opt)');
  });

  it('the local bucket that applies: the route’s, else the virtual host’s', () => {
    expect(notes('http://x/api/a')).toContain('local rate limit (this route): 5 tokens, +5 every 500ms');
    const web = notes('http://x/other');
    expect(web).toContain('rate limit (domain edge): no labels, no descriptor sent, never limited');
    expect(web).toContain('local rate limit (this virtual host): 100 tokens, +100 every 1000ms');
  });
});
