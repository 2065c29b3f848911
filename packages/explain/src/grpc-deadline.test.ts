import { describe, expect, it } from 'vitest';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';
import { formatExplanation } from './format.js';

function explainWith(action: Record<string, unknown>): string {
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
                      route_config: {
                        virtual_hosts: [
                          {
                            name: 'v',
                            domains: ['*'],
                            routes: [
                              { match: { path: '/pkg.Svc/Call' }, route: { cluster: 'up', ...action } },
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
        clusters: [
          {
            name: 'up',
            type: 'STRICT_DNS',
            load_assignment: {
              endpoints: [
                {
                  lb_endpoints: [
                    { endpoint: { address: { socket_address: { address: 'up', port_value: 50051 } } } },
                  ],
                },
              ],
            },
            typed_extension_protocol_options: {
              'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
                '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
                explicit_http_config: { http2_protocol_options: {} },
              },
            },
          },
        ],
      },
    },
  });
  return formatExplanation(
    explainRequest(model, {
      method: 'POST',
      url: 'http://grpc.example.com:8080/pkg.Svc/Call',
      headers: [['content-type', 'application/grpc']],
    }),
  );
}

describe('gRPC decisions on the picked route (feature-grpc output)', () => {
  it('says that the client deadline ends the call, with the cap and offset, and that the upstream is HTTP/2', () => {
    const text = explainWith({
      timeout: '0s',
      max_stream_duration: { grpc_timeout_header_max: '60s', grpc_timeout_header_offset: '0.005s' },
    });
    expect(text).toContain('HTTP/2');
    expect(text).toContain(
      "max stream duration: gRPC: the client's grpc-timeout ends the call (DEADLINE_EXCEEDED; capped at 60s, minus 0.005s)",
    );
    expect(explainWith({ max_stream_duration: { grpc_timeout_header_max: '0s' } })).toContain(
      '(DEADLINE_EXCEEDED; no cap)',
    );
  });

  it('says nothing about deadlines where the route does not honour grpc-timeout', () => {
    expect(explainWith({ timeout: '3s' })).not.toContain('max stream duration');
  });
});
