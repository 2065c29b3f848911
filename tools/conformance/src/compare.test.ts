import { emptyXdsResources, TypeUrl } from '@attache/core';
import { buildEnvoyModel } from '@attache/explain';
import { describe, expect, it } from 'vitest';
import { behaviourNamer, edsIdentity } from './cluster-identity.js';
import { type Comparison, compareConfigs } from './compare.js';
import { firstDifference, formatDifference } from './diff.js';

interface RouteSpec {
  prefix: string;
  cluster: string;
  rewrite?: string;
  fraction?: number;
  xfpHttps?: boolean;
  timeout?: string;
}

interface ConfigSpec {
  listenerName?: string;
  vhostName?: string;
  routes: RouteSpec[];
  clusters: Array<{ name: string; host: string; port: number }>;
  runtimePrefix?: string;
  emissaryInternals?: boolean;
}

/** An Emissary-style static bootstrap (snake_case, inline route_config). */
function bootstrap(spec: ConfigSpec): unknown {
  const routes = spec.routes.map((r) => ({
    match: {
      case_sensitive: true,
      prefix: r.prefix,
      ...(r.xfpHttps ? { headers: [{ name: 'x-forwarded-proto', string_match: { exact: 'https' } }] } : {}),
      runtime_fraction: {
        default_value: { denominator: 'HUNDRED', numerator: r.fraction ?? 100 },
        runtime_key: `${spec.runtimePrefix ?? 'routing.traffic_shift.'}${r.cluster}`,
      },
    },
    route: {
      cluster: r.cluster,
      priority: null,
      timeout: r.timeout ?? '3.000s',
      ...(r.rewrite !== undefined ? { prefix_rewrite: r.rewrite } : {}),
    },
  }));
  if (spec.emissaryInternals) {
    routes.unshift({
      match: {
        case_sensitive: true,
        prefix: '/ambassador/v0/check_ready',
        runtime_fraction: { default_value: { denominator: 'HUNDRED', numerator: 100 }, runtime_key: 'k' },
      },
      route: {
        cluster: 'cluster_127_0_0_1_8877_default',
        priority: null,
        timeout: '10.000s',
        prefix_rewrite: '/ambassador/v0/check_ready',
      },
    });
  }
  const clusters: Array<Record<string, unknown>> = spec.clusters.map((c) => ({
    name: c.name,
    alt_stat_name: `stat_${c.name}`,
    type: 'STRICT_DNS',
    connect_timeout: '3.000s',
    dns_lookup_family: 'V4_ONLY',
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: c.name,
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: {
                address: { socket_address: { address: c.host, port_value: c.port, protocol: 'TCP' } },
              },
            },
          ],
        },
      ],
    },
  }));
  const listeners: unknown[] = [
    {
      name: spec.listenerName ?? 'edge-http',
      address: { socket_address: { address: '0.0.0.0', port_value: 8080, protocol: 'TCP' } },
      filter_chains: [
        {
          filter_chain_match: {},
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type':
                  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: 'ingress_http',
                use_remote_address: true,
                normalize_path: true,
                http_filters: [{ name: 'envoy.filters.http.router' }],
                route_config: {
                  virtual_hosts: [{ name: spec.vhostName ?? 'vh', domains: ['shop.example.com'], routes }],
                },
              },
            },
          ],
        },
      ],
    },
  ];
  if (spec.emissaryInternals) {
    clusters.push({
      ...clusters[0],
      name: 'cluster_127_0_0_1_8877_default',
      load_assignment: {
        cluster_name: 'x',
        endpoints: [
          {
            lb_endpoints: [
              {
                endpoint: {
                  address: { socket_address: { address: '127.0.0.1', port_value: 8877, protocol: 'TCP' } },
                },
              },
            ],
          },
        ],
      },
    });
    listeners.push({
      name: 'ambassador-listener-ready-127.0.0.1-8006',
      address: { socket_address: { address: '127.0.0.1', port_value: 8006 } },
      filter_chains: [],
    });
  }
  return { static_resources: { listeners, clusters } };
}

function compare(expected: ConfigSpec, actual: ConfigSpec): Comparison {
  return compareConfigs(
    { model: buildEnvoyModel({ bootstrap: bootstrap(expected) }), clusterNamer: behaviourNamer },
    { model: buildEnvoyModel({ bootstrap: bootstrap(actual) }), clusterNamer: behaviourNamer },
  );
}

const base: ConfigSpec = {
  routes: [
    { prefix: '/catalog/', cluster: 'cluster_catalog_default', rewrite: '/' },
    { prefix: '/', cluster: 'cluster_storefront_default', rewrite: '/' },
  ],
  clusters: [
    { name: 'cluster_catalog_default', host: 'catalog', port: 80 },
    { name: 'cluster_storefront_default', host: 'storefront', port: 80 },
  ],
};

describe('compareConfigs', () => {
  it('finds two configurations that differ only in names equal', () => {
    const renamed: ConfigSpec = {
      listenerName: 'l-8080',
      vhostName: 'shop',
      runtimePrefix: 'other.',
      routes: [
        { prefix: '/catalog/', cluster: 'catalog-80-abc', rewrite: '/' },
        { prefix: '/', cluster: 'storefront-80-def', rewrite: '/' },
      ],
      clusters: [
        { name: 'storefront-80-def', host: 'storefront', port: 80 },
        { name: 'catalog-80-abc', host: 'catalog', port: 80 },
      ],
    };
    const result = compare({ ...base, emissaryInternals: true }, renamed);
    expect(result.summary).toBeUndefined();
    expect(result.probe).toBeUndefined();
    expect(result.probes).toBeGreaterThan(20);
  });

  it('finds an XFP route pair with the same action equal to the single route', () => {
    const pairs: ConfigSpec = {
      ...base,
      routes: base.routes.flatMap((r) => [{ ...r, xfpHttps: true }, r]),
    };
    const result = compare(pairs, base);
    expect(result.summary).toBeUndefined();
    expect(result.probe).toBeUndefined();
  });

  it('reports a different route order, first in the summary, then as a probe that lands elsewhere', () => {
    const swapped: ConfigSpec = { ...base, routes: [base.routes[1]!, base.routes[0]!] };
    const result = compare(base, swapped);
    expect(result.summary).toMatch(
      /^0\.0\.0\.0:8080 › chains › \[any transport \/ any SNI\] › .* › routes\[0\] › match › prefix: expected \/catalog\/, got \/$/,
    );
    expect(result.probe).toContain('GET http://shop.example.com:8080/catalog/');
    expect(result.probe).toContain('expected forward to STRICT_DNS catalog:80');
    expect(result.probe).toContain('got forward to STRICT_DNS storefront:80');
  });

  it('reports a different rewrite with the field and both values', () => {
    const other: ConfigSpec = { ...base, routes: [{ ...base.routes[0]!, rewrite: '/v2/' }, base.routes[1]!] };
    const result = compare(base, other);
    expect(result.summary).toContain('routes[0] › route › prefix_rewrite: expected /, got /v2/');
    expect(result.probe).toContain(
      'expected forward to STRICT_DNS catalog:80 as shop.example.com/; got forward to STRICT_DNS catalog:80 as shop.example.com/v2/',
    );
  });

  it('reports a different canary weight', () => {
    const canary = (weight: number): ConfigSpec => ({
      ...base,
      routes: [
        { prefix: '/catalog/', cluster: 'cluster_storefront_default', rewrite: '/', fraction: weight },
        ...base.routes,
      ],
    });
    const result = compare(canary(10), canary(20));
    expect(result.summary).toContain('routes[0] › match › runtime_fraction › numerator: expected 10, got 20');
    expect(result.probe).toContain(
      'expected 90%: forward to STRICT_DNS catalog:80 as shop.example.com/; 10%: forward to STRICT_DNS storefront:80',
    );
    expect(result.probe).toContain(
      'got 80%: forward to STRICT_DNS catalog:80 as shop.example.com/; 20%: forward to STRICT_DNS storefront:80',
    );
  });

  it('reports a different upstream port and a different timeout', () => {
    const port: ConfigSpec = { ...base, clusters: [{ ...base.clusters[0]!, port: 8080 }, base.clusters[1]!] };
    expect(compare(base, port).summary).toContain(
      'cluster › target: expected STRICT_DNS catalog:80, got STRICT_DNS catalog:8080',
    );
    const timeout: ConfigSpec = { ...base, routes: [{ ...base.routes[0]!, timeout: '5s' }, base.routes[1]!] };
    const result = compare(base, timeout);
    expect(result.summary).toContain('routes[0] › route › timeout: expected 3000ms, got 5000ms');
    expect(result.probe).toContain('timeoutMs: expected 3000, got 5000');
  });

  it('compares proto3-JSON xDS resources with a snake_case bootstrap', () => {
    const xds = emptyXdsResources();
    const expected = bootstrap(base) as {
      static_resources: { listeners: Array<Record<string, unknown>>; clusters: unknown[] };
    };
    const listener = expected.static_resources.listeners[0]!;
    const chain = (
      listener.filter_chains as Array<{ filters: Array<{ typed_config: Record<string, unknown> }> }>
    )[0]!;
    const { route_config, ...hcm } = chain.filters[0]!.typed_config;
    xds[TypeUrl.Listener].push({
      typeUrl: TypeUrl.Listener,
      name: 'l',
      version: '1',
      provenance: [],
      resource: {
        name: 'l',
        address: { socketAddress: { address: '0.0.0.0', portValue: 8080 } },
        filterChains: [
          {
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typedConfig: {
                  ...hcm,
                  statPrefix: 'x',
                  rds: { routeConfigName: 'rc', configSource: { ads: {} } },
                },
              },
            ],
          },
        ],
      },
    });
    xds[TypeUrl.RouteConfiguration].push({
      typeUrl: TypeUrl.RouteConfiguration,
      name: 'rc',
      version: '1',
      provenance: [],
      resource: { name: 'rc', ...(route_config as Record<string, unknown>) },
    });
    for (const c of expected.static_resources.clusters as Array<{ name: string }>) {
      xds[TypeUrl.Cluster].push({
        typeUrl: TypeUrl.Cluster,
        name: c.name,
        version: '1',
        provenance: [],
        resource: c as Record<string, unknown>,
      });
    }
    const result = compareConfigs(
      { model: buildEnvoyModel({ bootstrap: expected }), clusterNamer: behaviourNamer },
      { model: buildEnvoyModel({ xds }), clusterNamer: behaviourNamer },
    );
    expect(result.summary).toBeUndefined();
    expect(result.probe).toBeUndefined();
  });
});

describe('firstDifference', () => {
  it('names the path of the first difference and both values', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toEqual({
      path: 'a[1] › b',
      expected: 2,
      actual: 3,
    });
    expect(formatDifference(firstDifference([1], [1, 2])!)).toBe('[1]: expected (nothing more), got 2');
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeUndefined();
  });
});

describe('edsIdentity', () => {
  it('folds the EDS service name spellings to namespace/service:port', () => {
    expect(edsIdentity('k8s/apps/backend-eds/80')).toBe('apps/backend-eds:80');
    expect(edsIdentity('apps/backend-eds:80')).toBe('apps/backend-eds:80');
    expect(edsIdentity('backend-eds.apps:8080')).toBe('apps/backend-eds:8080');
  });
});
