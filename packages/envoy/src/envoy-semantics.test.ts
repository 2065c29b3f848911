import { describe, expect, it } from 'vitest';
import { messageDesc } from './registry.js';
import { validateResource } from './validate.js';
import { fastAccepts } from './validate-fast.js';

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

// Found by serving Attaché's output to a real Envoy 1.39.3 (tests/e2e-envoy): each configuration
// below passed the proto rules and Envoy refused it (NACK); the validator now refuses it too.
describe('rules found on a real Envoy', () => {
  const paths = (json: Record<string, unknown>) => validateResource(json).map((i) => i.path);
  // The fast path accepts only what certainly passes; it must never accept what the walk refuses.
  const fastAgrees = (json: Record<string, unknown>) => {
    const type = String(json['@type']).split('/').pop() as string;
    return fastAccepts(messageDesc(type), json, true) === (validateResource(json).length === 0);
  };

  describe('format commands in header values', () => {
    it.each([
      ['an unknown command', '%NOT_AN_OP%'],
      ['parameters to a command that takes none', '%PROTOCOL(x)%'],
      ['a command without the parameters it needs', '%REQ%'],
      ['a command Emissary listed that Envoy 1.39 no longer knows', '%UPSTREAM_LOCAL_SUBJECT%'],
    ])('refuses %s', (_what, value) => {
      const json = routeAdding('x-a', value);
      expect(paths(json)).toEqual([`${header}/value`]);
      expect(fastAgrees(json)).toBe(true);
    });
    it.each([
      ['optional parameters given', '%START_TIME(%s)%'],
      ['optional parameters left out', '%START_TIME%'],
      ['a newer command', '%UPSTREAM_CLUSTER_RAW%'],
    ])('accepts %s', (_what, value) => {
      expect(paths(routeAdding('x-a', value))).toEqual([]);
    });
  });

  it('refuses an unknown command in an access log format (text and JSON)', () => {
    const listener = (format: Record<string, unknown>) => ({
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
                route_config: { name: 'r' },
                http_filters: [
                  {
                    name: 'envoy.filters.http.router',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                    },
                  },
                ],
                access_log: [
                  {
                    name: 'envoy.access_loggers.stdout',
                    typed_config: {
                      '@type':
                        'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
                      log_format: format,
                    },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const log = '/filter_chains/0/filters/0/typed_config/access_log/0/typed_config/log_format';
    expect(paths(listener({ text_format_source: { inline_string: '%BOGUS_OPERATOR%\n' } }))).toEqual([
      `${log}/text_format_source/inline_string`,
    ]);
    expect(paths(listener({ json_format: { a: 'ok', b: '%REQ(x%' } }))).toEqual([`${log}/json_format/b`]);
    expect(paths(listener({ json_format: { a: '%RESPONSE_CODE%' } }))).toEqual([]);
    expect(fastAgrees(listener({ text_format_source: { inline_string: '%BOGUS_OPERATOR%' } }))).toBe(true);
  });

  describe('clusters', () => {
    const cluster = (extra: Record<string, unknown>) => ({
      '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      name: 'c',
      connect_timeout: '1s',
      type: 'STRICT_DNS',
      load_assignment: {
        cluster_name: 'c',
        endpoints: [
          { lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'x', port_value: 80 } } } }] },
        ],
      },
      ...extra,
    });
    const check = (health: Record<string, unknown>) => ({
      health_checks: [
        { timeout: '1s', interval: '5s', unhealthy_threshold: 2, healthy_threshold: 1, ...health },
      ],
    });
    const http2 = {
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {} },
        },
      },
    };

    it('refuses a gRPC health check on a cluster without HTTP/2, accepts it with HTTP/2', () => {
      const without = cluster(check({ grpc_health_check: { service_name: 's' } }));
      expect(paths(without)).toEqual(['/health_checks/0/grpc_health_check']);
      expect(fastAgrees(without)).toBe(true);
      const withHttp2 = cluster({ ...check({ grpc_health_check: { service_name: 's' } }), ...http2 });
      expect(paths(withHttp2)).toEqual([]);
      expect(fastAgrees(withHttp2)).toBe(true);
    });

    it.each([
      ['an empty range (start ≥ end)', { start: '300', end: '201' }],
      ['a start below 100', { start: '50', end: '201' }],
      ['an end past 600', { start: '200', end: '601' }],
    ])('refuses a health-check status range with %s', (_what, range) => {
      const json = cluster(check({ http_health_check: { path: '/h', expected_statuses: [range] } }));
      expect(paths(json)).toEqual(['/health_checks/0/http_health_check/expected_statuses/0']);
      expect(fastAgrees(json)).toBe(true);
    });

    it('accepts the whole status range 100–599', () => {
      const json = cluster(
        check({ http_health_check: { path: '/h', expected_statuses: [{ start: '100', end: '600' }] } }),
      );
      expect(paths(json)).toEqual([]);
    });
  });

  it('refuses a Listener left without any filter chain', () => {
    const json = {
      '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
      name: 'l',
      address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
    };
    expect(paths(json)).toEqual(['/filter_chains']);
    expect(fastAgrees(json)).toBe(true);
  });

  it('refuses the same domain twice in one route table, compared without case', () => {
    const json = {
      '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      name: 'r',
      virtual_hosts: [
        { name: 'a', domains: ['A.example.com'], routes: [] },
        { name: 'b', domains: ['b.example.com', 'a.example.com'], routes: [] },
      ],
    };
    expect(paths(json)).toEqual(['/virtual_hosts/1/domains/1']);
    expect(fastAgrees(json)).toBe(true);
  });

  describe('TLS parameters', () => {
    const context = (params: Record<string, unknown>) => ({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: { tls_params: params },
    });
    const at = '/common_tls_context/tls_params';
    it.each([
      ['an unknown cipher', { cipher_suites: ['BOGUS-CIPHER'] }, `${at}/cipher_suites/0`],
      [
        'a TLS 1.3 suite',
        { cipher_suites: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] },
        `${at}/cipher_suites/1`,
      ],
      [
        'an unknown name in a group',
        { cipher_suites: ['[BOGUS|ECDHE-ECDSA-AES128-GCM-SHA256]'] },
        `${at}/cipher_suites/0`,
      ],
      ['an unknown curve', { ecdh_curves: ['P-999'] }, `${at}/ecdh_curves/0`],
    ])('refuses %s', (_what, params, path) => {
      expect(paths(context(params))).toEqual([path]);
      expect(fastAgrees(context(params))).toBe(true);
    });
    it('accepts names, groups, rules and curves BoringSSL knows', () => {
      const json = context({
        cipher_suites: [
          '[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]',
          'ECDHE+AESGCM',
          'ALL:!RSA',
        ],
        ecdh_curves: ['X25519:P-256', 'P-384'],
      });
      expect(paths(json)).toEqual([]);
      expect(fastAgrees(json)).toBe(true);
    });
  });
});

describe('more rules found on a real Envoy (mutations Attaché accepted, served to Envoy 1.39.3)', () => {
  const paths = (json: Record<string, unknown>) => validateResource(json).map((i) => i.path);
  const fastAgrees = (json: Record<string, unknown>) => {
    const type = String(json['@type']).split('/').pop() as string;
    return fastAccepts(messageDesc(type), json, true) === (validateResource(json).length === 0);
  };
  const assignment = (address: string) => ({
    '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
    cluster_name: 'k8s/default/svc/80',
    endpoints: [
      { lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: 8080 } } } }] },
    ],
  });

  it.each(['svc.default', '100%', '..', ' '])(
    'refuses an EDS endpoint address that is no IP: %j',
    (address) => {
      expect(paths(assignment(address))).toEqual([
        '/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/address',
      ]);
      expect(fastAgrees(assignment(address))).toBe(true);
    },
  );

  it('accepts IPv4 and IPv6 endpoints, and host names in a STRICT_DNS cluster’s own load_assignment', () => {
    expect(paths(assignment('10.0.0.7'))).toEqual([]);
    expect(paths(assignment('fd00::7'))).toEqual([]);
    const cluster = {
      '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      name: 'c',
      connect_timeout: '1s',
      type: 'STRICT_DNS',
      load_assignment: assignment('svc.default'),
    };
    delete (cluster.load_assignment as Record<string, unknown>)['@type'];
    expect(paths(cluster)).toEqual([]);
    expect(fastAgrees(cluster)).toBe(true);
  });

  it('refuses an ALPN protocol longer than 255 bytes ("Invalid ALPN protocol string")', () => {
    const context = (alpn: string[]) => ({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: { alpn_protocols: alpn },
    });
    expect(paths(context(['h2', 'x'.repeat(256)]))).toEqual(['/common_tls_context/alpn_protocols/1']);
    expect(fastAgrees(context(['h2', 'x'.repeat(256)]))).toBe(true);
    expect(paths(context(['h2', 'x'.repeat(255)]))).toEqual([]);
  });
});
