import { emptyIR, emptyXdsResources, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { ForwardAction, RedirectAction } from './actions.js';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';
import { formatExplanation } from './format.js';

const hcm = (virtualHosts: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: {
    '@type':
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'x',
    use_remote_address: true,
    route_config: { name: 'rc', virtual_hosts: virtualHosts },
    http_filters: [{ name: 'envoy.filters.http.router' }],
    ...extra,
  },
});

const dnsCluster = (name: string, host: string, port: number) => ({
  name,
  type: 'STRICT_DNS',
  connect_timeout: '3.000s',
  load_assignment: {
    cluster_name: name,
    endpoints: [
      { lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }] },
    ],
  },
});

const route = (match: Record<string, unknown>, action: Record<string, unknown>) => ({ match, ...action });

function bootstrap(
  virtualHosts: unknown[],
  hcmExtra: Record<string, unknown> = {},
  listenerExtra: Record<string, unknown> = {},
) {
  return {
    static_resources: {
      listeners: [
        {
          name: 'l8080',
          address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
          filter_chains: [{ filters: [hcm(virtualHosts, hcmExtra)] }],
          ...listenerExtra,
        },
      ],
      clusters: [dnsCluster('c-a', 'a', 80), dnsCluster('c-b', 'b', 8080)],
    },
  };
}

describe('virtual host selection', () => {
  const vhosts = [
    {
      name: 'exact',
      domains: ['api.example.com'],
      routes: [route({ prefix: '/' }, { route: { cluster: 'c-a' } })],
    },
    {
      name: 'suffix-short',
      domains: ['*.com'],
      routes: [route({ prefix: '/' }, { route: { cluster: 'c-a' } })],
    },
    {
      name: 'suffix-long',
      domains: ['*.example.com'],
      routes: [route({ prefix: '/' }, { route: { cluster: 'c-a' } })],
    },
    { name: 'prefix', domains: ['api.*'], routes: [route({ prefix: '/' }, { route: { cluster: 'c-a' } })] },
    { name: 'any', domains: ['*'], routes: [route({ prefix: '/' }, { route: { cluster: 'c-a' } })] },
  ];
  const model = buildEnvoyModel({ bootstrap: bootstrap(vhosts) });
  const vhostFor = (host: string) =>
    explainRequest(model, { url: 'http://x:8080/', headers: { host } }).virtualHost?.name;

  it('prefers exact, then the longest suffix wildcard, then prefix wildcards, then *', () => {
    expect(vhostFor('API.example.com')).toBe('exact');
    expect(vhostFor('www.example.com')).toBe('suffix-long');
    expect(vhostFor('www.other.com')).toBe('suffix-short');
    expect(vhostFor('api.internal')).toBe('prefix');
    expect(vhostFor('something')).toBe('any');
  });

  it('does not strip the port unless told to', () => {
    expect(vhostFor('api.example.com:8080')).toBe('prefix');
    const stripping = buildEnvoyModel({ bootstrap: bootstrap(vhosts, { strip_matching_host_port: true }) });
    const e = explainRequest(stripping, { url: 'http://x:8080/', headers: { host: 'api.example.com:8080' } });
    expect(e.virtualHost?.name).toBe('exact');
    expect(e.notes.join()).toContain('strip_matching_host_port');
  });

  it('explains a missing virtual host with the domains it has', () => {
    const only = buildEnvoyModel({ bootstrap: bootstrap([vhosts[0]]) });
    const e = explainRequest(only, { url: 'http://foo.example.com:8080/' });
    expect(e.failure).toEqual({
      stage: 'virtual_host',
      message:
        'no virtual host for authority foo.example.com:8080 (domains: api.example.com); Envoy answers 404',
    });
  });
});

describe('route matching', () => {
  const routes = [
    route(
      { prefix: '/api/', headers: [{ name: 'x-canary', exact_match: 'yes' }] },
      { name: 'canary-header', route: { cluster: 'c-b' } },
    ),
    route({ path: '/exact', case_sensitive: false }, { route: { cluster: 'c-b', prefix_rewrite: '/other' } }),
    route({ safe_regex: { google_re2: {}, regex: '/items/[0-9]+' } }, { route: { cluster: 'c-b' } }),
    route(
      { prefix: '/q', query_parameters: [{ name: 'debug', string_match: { exact: '1' } }] },
      { route: { cluster: 'c-b' } },
    ),
    route(
      { prefix: '/inv', headers: [{ name: 'x-block', present_match: true, invert_match: true }] },
      { route: { cluster: 'c-b' } },
    ),
    route({ prefix: '/api/' }, { route: { cluster: 'c-a', prefix_rewrite: '/', timeout: '5s' } }),
    route({ prefix: '/' }, { route: { cluster: 'c-a' } }),
  ];
  const model = buildEnvoyModel({ bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes }]) });
  const first = (url: string, headers: Record<string, string> = {}) =>
    explainRequest(model, { url: `http://h:8080${url}`, headers }).outcomes[0]?.route?.index;

  it('takes the first route whose path, headers and query all match', () => {
    expect(first('/api/x', { 'x-canary': 'yes' })).toBe(0);
    expect(first('/api/x', { 'x-canary': 'no' })).toBe(5);
    expect(first('/EXACT')).toBe(1);
    expect(first('/exact/more')).toBe(6);
    expect(first('/items/42')).toBe(2);
    expect(first('/items/42x')).toBe(6);
    expect(first('/q?debug=1&debug=2')).toBe(3);
    expect(first('/q?debug=2&debug=1')).toBe(6);
    expect(first('/inv')).toBe(4);
    expect(first('/inv', { 'x-block': '1' })).toBe(6);
  });

  it('says why a route was skipped', () => {
    const e = explainRequest(model, { url: 'http://h:8080/api/x', headers: { 'x-canary': 'no' } });
    expect(e.routes[0]).toMatchObject({
      index: 0,
      name: 'canary-header',
      matched: false,
      reason: "header must match: x-canary = 'yes'; x-canary is 'no'",
    });
  });

  it('rewrites the matched prefix or the whole exact path', () => {
    const api = explainRequest(model, { url: 'http://h:8080/api/users?id=1' }).outcomes[0]
      ?.action as ForwardAction;
    expect(api.path).toBe('/users?id=1');
    expect(api.timeoutMs).toBe(5000);
    expect(api.clusters.map((c) => c.target)).toEqual(['STRICT_DNS a:80']);
    const exact = explainRequest(model, { url: 'http://h:8080/Exact' }).outcomes[0]?.action as ForwardAction;
    expect(exact.path).toBe('/other');
    const fallback = explainRequest(model, { url: 'http://h:8080/zzz' }).outcomes[0]?.action as ForwardAction;
    expect(fallback.timeoutMs).toBe(15000);
  });
});

describe('weighted routes', () => {
  it('treats runtime fraction numerators as cumulative along the route list', () => {
    const routes = [
      route(
        {
          prefix: '/',
          runtime_fraction: { default_value: { numerator: 10, denominator: 'HUNDRED' }, runtime_key: 'k1' },
        },
        { route: { cluster: 'c-b' } },
      ),
      route(
        { prefix: '/', runtime_fraction: { default_value: { numerator: 100 }, runtime_key: 'k2' } },
        { route: { cluster: 'c-a' } },
      ),
    ];
    const e = explainRequest(
      buildEnvoyModel({ bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes }]) }),
      {
        url: 'http://h:8080/',
      },
    );
    expect(e.outcomes.map((o) => [o.route?.index, Math.round(o.probability * 100)])).toEqual([
      [0, 10],
      [1, 90],
    ]);
  });

  it('leaves the rest unrouted when the last fraction is below 100%', () => {
    const routes = [
      route(
        { prefix: '/', runtime_fraction: { default_value: { numerator: 30 } } },
        { route: { cluster: 'c-b' } },
      ),
    ];
    const e = explainRequest(
      buildEnvoyModel({ bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes }]) }),
      {
        url: 'http://h:8080/',
      },
    );
    expect(e.outcomes.map((o) => [o.action.kind, Math.round(o.probability * 100)])).toEqual([
      ['forward', 30],
      ['no_route', 70],
    ]);
  });

  it('splits weighted clusters by weight', () => {
    const routes = [
      route(
        { prefix: '/' },
        {
          route: {
            weighted_clusters: {
              clusters: [
                { name: 'c-a', weight: 3 },
                { name: 'c-b', weight: 1 },
              ],
            },
          },
        },
      ),
    ];
    const e = explainRequest(
      buildEnvoyModel({ bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes }]) }),
      {
        url: 'http://h:8080/',
      },
    );
    expect((e.outcomes[0]!.action as ForwardAction).clusters.map((c) => [c.name, c.share])).toEqual([
      ['c-a', 0.75],
      ['c-b', 0.25],
    ]);
  });
});

describe('x-forwarded-proto and redirects', () => {
  const routes = [
    route(
      { prefix: '/', headers: [{ name: 'x-forwarded-proto', string_match: { exact: 'https' } }] },
      { route: { cluster: 'c-a' } },
    ),
    route({ prefix: '/' }, { redirect: { https_redirect: true } }),
  ];

  it('lets Envoy overwrite x-forwarded-proto when no hop is trusted', () => {
    const model = buildEnvoyModel({ bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes }]) });
    const e = explainRequest(model, {
      url: 'http://h.example.com:8080/a?b=1',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(e.request.forwardedProto).toBe('http');
    expect(e.outcomes[0]?.action).toEqual({
      kind: 'redirect',
      status: 301,
      location: 'https://h.example.com:8080/a?b=1',
    });
  });

  it('keeps x-forwarded-proto from a trusted hop', () => {
    const model = buildEnvoyModel({
      bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes }], { xff_num_trusted_hops: 1 }),
    });
    const e = explainRequest(model, { url: 'http://h:8080/a', headers: { 'x-forwarded-proto': 'https' } });
    expect(e.outcomes[0]?.action.kind).toBe('forward');
  });

  it('computes redirect locations: host, port, path, prefix, regex, strip query, code', () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string, string]> = [
      [
        { prefix: '/' },
        { host_redirect: 'new.example.com', response_code: 'FOUND' },
        '/p?q=1',
        '302 http://new.example.com/p?q=1',
      ],
      [{ prefix: '/' }, { path_redirect: '/moved', strip_query: true }, '/p?q=1', '301 http://h:8080/moved'],
      [
        { prefix: '/old/' },
        { prefix_rewrite: '/new/', response_code: 'PERMANENT_REDIRECT' },
        '/old/x',
        '308 http://h:8080/new/x',
      ],
      [
        { prefix: '/' },
        { regex_rewrite: { pattern: { regex: '^/v(\\d+)/(.*)$' }, substitution: '/\\2?version=\\1' } },
        '/v2/users',
        '301 http://h:8080/users?version=2',
      ],
      [{ prefix: '/' }, { https_redirect: true, port_redirect: 8443 }, '/p', '301 https://h:8443/p'],
    ];
    for (const [match, redirect, path, expected] of cases) {
      const model = buildEnvoyModel({
        bootstrap: bootstrap([{ name: 'v', domains: ['*'], routes: [{ match, redirect }] }]),
      });
      const a = explainRequest(model, { url: `http://h:8080${path}` }).outcomes[0]?.action as RedirectAction;
      expect(`${a.status} ${a.location}`).toBe(expected);
    }
  });
});

describe('filter chains', () => {
  const tlsChain = (names: string[], secret: string) => ({
    filter_chain_match: { server_names: names, transport_protocol: 'tls' },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
        common_tls_context: {
          tls_certificates: [
            {
              certificate_chain: { filename: `/secrets/${secret}.default/tls.crt` },
              private_key: { filename: `/secrets/${secret}.default/tls.key` },
            },
          ],
        },
      },
    },
    filters: [
      hcm([{ name: 'v', domains: ['*'], routes: [route({ prefix: '/' }, { route: { cluster: 'c-a' } })] }]),
    ],
  });
  const config = {
    static_resources: {
      listeners: [
        {
          name: 'l8443',
          address: { socket_address: { address: '0.0.0.0', port_value: 8443 } },
          listener_filters: [{ name: 'envoy.filters.listener.tls_inspector' }],
          filter_chains: [
            tlsChain(['*.example.com'], 'wild'),
            tlsChain(['api.example.com'], 'api'),
            { filter_chain_match: {}, filters: [hcm([{ name: 'v', domains: ['*'], routes: [] }])] },
          ],
        },
      ],
      clusters: [dnsCluster('c-a', 'a', 80)],
    },
  };
  const model = buildEnvoyModel({ bootstrap: config });

  it('picks exact SNI, then the wildcard, then the catch-all chain', () => {
    const chainOf = (url: string) => {
      const e = explainRequest(model, { url });
      return [e.filterChain?.index, e.filterChain?.tls?.certificates.join()];
    };
    expect(chainOf('https://api.example.com:8443/')).toEqual([1, 'Secret default/api']);
    expect(chainOf('https://www.example.com:8443/')).toEqual([0, 'Secret default/wild']);
    expect(chainOf('http://www.example.com:8443/')).toEqual([2, undefined]);
    const other = explainRequest(model, { url: 'https://other.org:8443/' });
    expect(other.failure?.stage).toBe('filter_chain');
  });

  it('reports when no listener owns the port', () => {
    expect(explainRequest(model, { url: 'http://a:9000/' }).failure).toEqual({
      stage: 'listener',
      message: 'no listener on port 9000 (listeners: 8443)',
    });
    expect(explainRequest(model, { url: 'http://a/' }).failure).toEqual({
      stage: 'listener',
      message:
        'no listener on port 80, nor on 8080, where a Service usually forwards port 80 (listeners: 8443)',
    });
  });

  it('sends a URL without a port through the usual Service (443 → 8443), Host without port, and says so', () => {
    const e = explainRequest(model, { url: 'https://api.example.com/x' });
    expect(e.deployment).toEqual({
      servicePort: 443,
      listenerPort: 8443,
      message: expect.stringContaining("a Service forwarding port 443 to Envoy's listener on 8443"),
    });
    expect([e.request.port, e.request.authority, e.request.sni]).toEqual([
      8443,
      'api.example.com',
      'api.example.com',
    ]);
    expect(e.filterChain?.tls?.certificates).toEqual(['Secret default/api']);
    expect(formatExplanation(e)).toMatch(/^Deployment +the URL names no port/m);
  });

  it('keeps the scheme port when a listener has it, and an explicit port or listenerPort as given', () => {
    const on443 = buildEnvoyModel({
      bootstrap: {
        static_resources: {
          listeners: [8443, 443].map((port) => ({
            ...config.static_resources.listeners[0],
            name: `l${port}`,
            address: { socket_address: { address: '0.0.0.0', port_value: port } },
          })),
          clusters: config.static_resources.clusters,
        },
      },
    });
    const direct = explainRequest(on443, { url: 'https://api.example.com/' });
    expect([direct.listener?.name, direct.deployment]).toEqual(['l443', undefined]);
    const given = explainRequest(model, { url: 'https://api.example.com/', listenerPort: 8443 });
    expect([given.listener?.name, given.deployment, given.request.authority]).toEqual([
      'l8443',
      undefined,
      'api.example.com',
    ]);
    const explicit = explainRequest(model, { url: 'https://api.example.com:443/' });
    expect(explicit.failure?.message).toBe('no listener on port 443 (listeners: 8443)');
  });
});

describe('xDS input (proto3 JSON, RDS, EDS, provenance)', () => {
  const xds = emptyXdsResources();
  const mapping = {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    namespace: 'default',
    name: 'quote',
  };
  xds[TypeUrl.Listener].push({
    typeUrl: TypeUrl.Listener,
    name: 'l',
    version: '1',
    provenance: [],
    resource: {
      '@type': TypeUrl.Listener,
      name: 'l',
      address: { socketAddress: { address: '0.0.0.0', portValue: 8080 } },
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typedConfig: {
                '@type':
                  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                statPrefix: 'x',
                rds: { routeConfigName: 'rc-8080', configSource: { ads: {} } },
                httpFilters: [{ name: 'envoy.filters.http.router' }],
              },
            },
          ],
        },
      ],
    },
  });
  xds[TypeUrl.RouteConfiguration].push({
    typeUrl: TypeUrl.RouteConfiguration,
    name: 'rc-8080',
    version: '1',
    provenance: [mapping],
    resource: {
      name: 'rc-8080',
      virtualHosts: [
        {
          name: 'vh',
          domains: ['*'],
          routes: [
            {
              name: 'default/quote',
              match: { prefix: '/backend/', headers: [{ name: ':method', stringMatch: { exact: 'GET' } }] },
              route: { cluster: 'quote', prefixRewrite: '/', timeout: '3s' },
              requestHeadersToAdd: [
                { header: { key: 'x-added', value: 'v' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
              ],
            },
          ],
        },
      ],
    },
  });
  xds[TypeUrl.Cluster].push({
    typeUrl: TypeUrl.Cluster,
    name: 'quote',
    version: '1',
    provenance: [mapping],
    resource: {
      name: 'quote',
      type: 'EDS',
      edsClusterConfig: { serviceName: 'default/quote', edsConfig: { ads: {} } },
      connectTimeout: '3s',
    },
  });
  xds[TypeUrl.ClusterLoadAssignment].push({
    typeUrl: TypeUrl.ClusterLoadAssignment,
    name: 'default/quote',
    version: '1',
    provenance: [],
    resource: {
      clusterName: 'default/quote',
      endpoints: [
        {
          lbEndpoints: [
            { endpoint: { address: { socketAddress: { address: '10.0.0.7', portValue: 5000 } } } },
          ],
        },
      ],
    },
  });
  const ir = emptyIR();
  ir.routeConfigs['rc-8080'] = {
    name: 'rc-8080',
    provenance: [mapping],
    virtualHosts: [
      {
        name: 'vh',
        domains: ['*'],
        provenance: [],
        routes: [
          {
            name: 'default/quote',
            provenance: [mapping],
            match: { path: { kind: 'prefix', value: '/backend/' } },
            action: { kind: 'forward', clusters: [{ cluster: 'quote', weight: 100 }] },
          },
        ],
      },
    ],
  };

  it('follows RDS and EDS names and names the Mapping behind the route', () => {
    const e = explainRequest({ xds, ir }, { method: 'GET', url: 'http://quote.local:8080/backend/q?x=1' });
    expect(e.failure).toBeUndefined();
    expect(e.outcomes[0]?.route?.provenance).toEqual([mapping]);
    const action = e.outcomes[0]?.action as ForwardAction;
    expect(action.clusters[0]?.target).toBe('EDS service default/quote (endpoints: 10.0.0.7:5000)');
    expect(action.path).toBe('/q?x=1');
    expect(action.requestHeadersToAdd).toEqual([
      { key: 'x-added', value: 'v', action: 'OVERWRITE_IF_EXISTS_OR_ADD', level: 'route' },
    ]);
    const text = formatExplanation(e);
    expect(text).toContain('route #0 default/quote (Mapping default/quote)');
    expect(text).toContain('upstream request quote.local:8080 /q?x=1 (rewritten: prefix /backend/ → /)');
  });

  it('says which route almost matched and why not', () => {
    const e = explainRequest({ xds, ir }, { method: 'POST', url: 'http://quote.local:8080/backend/q' });
    expect(e.failure?.stage).toBe('route');
    expect(e.failure?.message).toContain('no route in virtual host vh matches /backend/q');
    expect(formatExplanation(e)).toContain(
      "skipped    route #0 default/quote (Mapping default/quote): header must match: :method = 'GET'; :method is 'POST'",
    );
  });

  it('reports an RDS name that resolves to nothing', () => {
    const broken = { ...xds, [TypeUrl.RouteConfiguration]: [] };
    const e = explainRequest({ xds: broken }, { url: 'http://a:8080/' });
    expect(e.failure).toEqual({
      stage: 'route_config',
      message: 'RouteConfiguration rc-8080 (named by RDS) does not exist',
    });
  });
});
