import { describe, expect, it } from 'vitest';
import { validateResource } from './validate.js';

const t = (name: string) => `type.googleapis.com/${name}`;
const paths = (json: Record<string, unknown>) => validateResource(json).map((i) => i.path);

const goodCluster = {
  '@type': t('envoy.config.cluster.v3.Cluster'),
  name: 'quote',
  type: 'STRICT_DNS',
  connect_timeout: '3s',
  load_assignment: {
    cluster_name: 'quote',
    endpoints: [
      { lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'quote', port_value: 80 } } } }] },
    ],
  },
};

function tcpListener(tcpProxy: Record<string, unknown>): Record<string, unknown> {
  return {
    '@type': t('envoy.config.listener.v3.Listener'),
    name: 'tcp',
    address: { socket_address: { address: '0.0.0.0', port_value: 9000 } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: {
              '@type': t('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'),
              ...tcpProxy,
            },
          },
        ],
      },
    ],
  };
}

function routeConfig(route: Record<string, unknown>): Record<string, unknown> {
  return {
    '@type': t('envoy.config.route.v3.RouteConfiguration'),
    name: 'rc',
    virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [route] }],
  };
}

describe('validateResource: strict decoding', () => {
  it('accepts valid resources', () => {
    expect(validateResource(goodCluster)).toEqual([]);
    expect(validateResource(tcpListener({ stat_prefix: 'tcp', cluster: 'quote' }))).toEqual([]);
  });

  it('names an unknown field inside a typed_config Any', () => {
    const issues = validateResource(tcpListener({ stat_prefix: 'tcp', cluster: 'quote', clustr: 'x' }));
    expect(issues.map((i) => i.path)).toEqual(['/filter_chains/0/filters/0/typed_config/clustr']);
    expect(issues[0]!.message).toContain('clustr');
  });

  it('names an unknown top-level field', () => {
    expect(paths({ ...goodCluster, conect_timeout: '1s' })).toEqual(['/conect_timeout']);
  });

  it('rejects an unknown enum name and lists the known ones', () => {
    const issues = validateResource({ ...goodCluster, lb_policy: 'ROUND_ROBIN_PLEASE' });
    expect(issues.map((i) => i.path)).toEqual(['/lb_policy']);
    expect(issues[0]!.message).toContain('LEAST_REQUEST');
  });

  it('rejects an unresolvable @type, at the resource and inside an Any', () => {
    expect(paths({ ...goodCluster, '@type': t('envoy.config.cluster.v3.Clusterr') })).toEqual(['/@type']);
    const listener = tcpListener({});
    const filter = (
      listener.filter_chains as Array<{ filters: Array<{ typed_config: Record<string, unknown> }> }>
    )[0]!.filters[0]!;
    filter.typed_config = { '@type': t('envoy.extensions.filters.network.nope.v3.Nope') };
    expect(paths(listener)).toEqual(['/filter_chains/0/filters/0/typed_config/@type']);
  });

  it('rejects a value of the wrong type', () => {
    expect(paths({ ...goodCluster, connect_timeout: 'soon' })).toEqual(['/connect_timeout']);
    expect(paths({ ...goodCluster, respect_dns_ttl: 'yes' })).toEqual(['/respect_dns_ttl']);
  });

  it('locates a decoding error inside a map of Any', () => {
    const issues = validateResource(
      routeConfig({
        match: { prefix: '/' },
        route: { cluster: 'c' },
        typed_per_filter_config: {
          'envoy.filters.http.ext_authz': {
            '@type': t('envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute'),
            disabled: true,
            check_settings: {},
          },
        },
      }),
    );
    expect(issues.map((i) => i.path)).toHaveLength(1);
    expect(issues[0]!.path).toMatch(
      /^\/virtual_hosts\/0\/routes\/0\/typed_per_filter_config\/envoy.filters.http.ext_authz\/(disabled|check_settings)$/,
    );
  });

  it('rejects two members of one oneof', () => {
    const issues = validateResource(
      routeConfig({ match: { prefix: '/', path: '/x' }, route: { cluster: 'c' } }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toMatch(/^\/virtual_hosts\/0\/routes\/0\/match\/(prefix|path)$/);
  });
});

describe('validateResource: protoc-gen-validate rules', () => {
  it('string min_len: an empty cluster name', () => {
    const issues = validateResource({ ...goodCluster, name: '' });
    expect(issues.map((i) => i.path)).toEqual(['/name']);
  });

  it('uint32 lte: a port over 65535', () => {
    const cluster = structuredClone(goodCluster);
    cluster.load_assignment.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value = 70000;
    const issues = validateResource(cluster);
    expect(issues.map((i) => i.path)).toEqual([
      '/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value',
    ]);
    expect(issues[0]!.message).toContain('65535');
  });

  it('well-known HTTP_HEADER_NAME: a header name with a newline', () => {
    const issues = validateResource(
      routeConfig({
        match: { prefix: '/' },
        route: { cluster: 'c' },
        request_headers_to_add: [{ header: { key: 'x-bad\nname', value: 'v' } }],
        request_headers_to_remove: ['ok', ''],
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      '/virtual_hosts/0/routes/0/request_headers_to_add/0/header/key',
      '/virtual_hosts/0/routes/0/request_headers_to_remove/1',
    ]);
  });

  it('oneof (validate.required): a route without an action', () => {
    expect(paths(routeConfig({ match: { prefix: '/' } }))).toEqual(['/virtual_hosts/0/routes/0/action']);
  });

  it('message.required: a route without a match', () => {
    expect(paths(routeConfig({ route: { cluster: 'c' } }))).toEqual(['/virtual_hosts/0/routes/0/match']);
  });

  it('repeated min_items: a virtual host without domains', () => {
    const rc = routeConfig({ match: { prefix: '/' }, route: { cluster: 'c' } });
    (rc.virtual_hosts as Array<Record<string, unknown>>)[0]!.domains = [];
    expect(paths(rc)).toEqual(['/virtual_hosts/0/domains']);
  });

  it('duration gt: a zero connect timeout', () => {
    expect(paths({ ...goodCluster, connect_timeout: '0s' })).toEqual(['/connect_timeout']);
  });

  it('enum defined_only: a number that is not a defined value', () => {
    expect(paths({ ...goodCluster, lb_policy: 42 })).toEqual(['/lb_policy']);
  });

  it('rules inside an Any payload (tcp_proxy stat_prefix min_len)', () => {
    expect(paths(tcpListener({ stat_prefix: '', cluster: 'quote' }))).toEqual([
      '/filter_chains/0/filters/0/typed_config/stat_prefix',
    ]);
  });

  it('rules inside a map of Any (typed_per_filter_config)', () => {
    const issues = validateResource(
      routeConfig({
        match: { prefix: '/' },
        route: { cluster: 'c' },
        typed_per_filter_config: {
          'envoy.filters.http.ext_authz': {
            '@type': t('envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute'),
            disabled: false,
          },
        },
      }),
    );
    // ExtAuthzPerRoute.disabled has `bool.const: true`: "disabled: false" is meaningless to Envoy.
    expect(issues.map((i) => i.path)).toEqual([
      '/virtual_hosts/0/routes/0/typed_per_filter_config/envoy.filters.http.ext_authz/disabled',
    ]);
  });

  it('wrapper-typed fields are checked by their inner rules (UInt32Value gte)', () => {
    const issues = validateResource({
      '@type': t('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'),
      stat_prefix: 'http',
      route_config: { name: 'x' },
      max_request_headers_kb: 0,
    });
    expect(issues.map((i) => i.path)).toEqual(['/max_request_headers_kb']);
  });

  it('an RE2-invalid regex is rejected (Envoy would NACK it)', () => {
    expect(
      paths(routeConfig({ match: { safe_regex: { regex: '(unclosed' } }, route: { cluster: 'c' } })),
    ).toEqual(['/virtual_hosts/0/routes/0/match/safe_regex/regex']);
  });

  it('string pattern (RE2): a path_separated_prefix ending in a slash', () => {
    expect(
      paths(routeConfig({ match: { path_separated_prefix: '/api/' }, route: { cluster: 'c' } })),
    ).toEqual(['/virtual_hosts/0/routes/0/match/path_separated_prefix']);
    expect(paths(routeConfig({ match: { path_separated_prefix: '/api' }, route: { cluster: 'c' } }))).toEqual(
      [],
    );
  });

  it('repeated unique: a header copied twice by an internal redirect policy', () => {
    const issues = validateResource(
      routeConfig({
        match: { prefix: '/' },
        route: {
          cluster: 'c',
          internal_redirect_policy: { response_headers_to_copy: ['x-a', 'x-b', 'x-a'] },
        },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      '/virtual_hosts/0/routes/0/route/internal_redirect_policy/response_headers_to_copy/2',
    ]);
  });

  it('map keys: an empty filter_metadata namespace', () => {
    expect(
      paths(
        routeConfig({
          match: { prefix: '/' },
          route: { cluster: 'c' },
          metadata: { filter_metadata: { '': {} } },
        }),
      ),
    ).toEqual(['/virtual_hosts/0/routes/0/metadata/filter_metadata/']);
  });

  it('enum not_in: CONNECT is not a health check method', () => {
    const cluster = {
      ...goodCluster,
      health_checks: [
        {
          timeout: '1s',
          interval: '5s',
          unhealthy_threshold: 3,
          healthy_threshold: 2,
          http_health_check: { path: '/', method: 'CONNECT' },
        },
      ],
    };
    expect(paths(cluster)).toEqual(['/health_checks/0/http_health_check/method']);
  });

  it('reports every violation, not just the first', () => {
    const cluster = structuredClone(goodCluster) as Record<string, unknown>;
    cluster.name = '';
    cluster.connect_timeout = '0s';
    expect(paths(cluster).sort()).toEqual(['/connect_timeout', '/name']);
  });
});
