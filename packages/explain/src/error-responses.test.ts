import { describe, expect, it } from 'vitest';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';

const customResponse = (entries: Record<string, Record<string, unknown>>) => ({
  '@type': 'type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse',
  custom_response_matcher: {
    matcher_tree: {
      input: {
        name: 'status-code',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput',
        },
      },
      exact_match_map: {
        map: Object.fromEntries(
          Object.entries(entries).map(([status, body_format]) => [
            status,
            {
              action: {
                name: `status-${status}`,
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.http.custom_response.local_response_policy.v3.LocalResponsePolicy',
                  body_format,
                },
              },
            },
          ]),
        ),
      },
    },
  },
});

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
                        name: 'envoy.filters.http.custom_response',
                        typed_config: customResponse({
                          '404': { text_format_source: { inline_string: 'gone' } },
                        }),
                      },
                      {
                        name: 'envoy.filters.http.custom_response.mapping',
                        typed_config: customResponse({}),
                      },
                      { name: 'envoy.filters.http.router' },
                    ],
                    route_config: {
                      virtual_hosts: [
                        {
                          name: 'v',
                          domains: ['*'],
                          routes: [
                            {
                              name: 'api',
                              match: { prefix: '/api/' },
                              route: { cluster: 'up' },
                              typed_per_filter_config: {
                                'envoy.filters.http.custom_response': {
                                  '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig',
                                  disabled: true,
                                },
                                'envoy.filters.http.custom_response.mapping': customResponse({
                                  '503': { json_format: { error: 'later' } },
                                }),
                              },
                            },
                            { name: 'site', match: { prefix: '/site/' }, route: { cluster: 'up' } },
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
      clusters: [{ name: 'up', type: 'STATIC' }],
    },
  },
});

describe('error responses in explain', () => {
  it("names the Module's rewrites on a route without its own", () => {
    const e = explainRequest(model, { url: 'http://h:8080/site/x' });
    expect(e.notes).toContain(
      'route #1 site: error responses rewritten (custom_response): 404 → text "gone"',
    );
  });

  it("names only the route's own rewrites where the Module's filter is disabled", () => {
    const e = explainRequest(model, { url: 'http://h:8080/api/x' });
    expect(e.notes).toContain(
      'route #0 api: error responses rewritten (custom_response): 503 → json {"error":"later"}',
    );
  });

  it('names the filter-level rewrites for a request no route takes', () => {
    const e = explainRequest(model, { url: 'http://h:8080/nothing' });
    expect(e.notes).toContain(
      'without a route: error responses rewritten (custom_response): 404 → text "gone"',
    );
  });
});
