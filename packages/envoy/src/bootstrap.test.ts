import { TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { buildAdsBootstrap, buildStaticBootstrap } from './bootstrap.js';
import { compileIR, golden, goldenYaml, readIR } from './testing/golden.js';
import { validateResource } from './validate.js';

const bootstrapType = 'type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap';
// biome-ignore lint/suspicious/noExplicitAny: the tests read deep into bootstrap JSON whose shape they assert
type Json = Record<string, any>;

describe('buildAdsBootstrap', () => {
  it('is a valid Bootstrap that fetches listeners and clusters over ADS from a static HTTP/2 cluster', () => {
    const bootstrap = buildAdsBootstrap({
      node: { id: 'envoy-1', cluster: 'edge', locality: { region: 'eu-west-1', zone: 'eu-west-1a' } },
      ads: { host: '127.0.0.1', port: 18000 },
      admin: { address: '127.0.0.1', port: 9901 },
    }) as Json;
    expect(bootstrap['@type']).toBeUndefined();
    expect(validateResource({ '@type': bootstrapType, ...bootstrap })).toEqual([]);
    expect(bootstrap.dynamic_resources).toEqual({
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds_cluster' } }],
        set_node_on_first_message_only: true,
      },
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
    });
    const [xds] = bootstrap.static_resources.clusters;
    expect(xds.name).toBe('xds_cluster');
    expect(xds.type).toBe('STATIC');
    expect(Object.values(xds.typed_extension_protocol_options)[0]).toMatchObject({
      explicit_http_config: { http2_protocol_options: {} },
    });
    expect(bootstrap.node.locality).toEqual({ region: 'eu-west-1', zone: 'eu-west-1a' });
    expect(bootstrap.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
  });

  it('resolves a control plane host name with DNS', () => {
    const bootstrap = buildAdsBootstrap({
      node: { id: 'n', cluster: 'c' },
      ads: { host: 'attache.ambassador.svc', port: 18000 },
    }) as Json;
    expect(bootstrap.static_resources.clusters[0].type).toBe('STRICT_DNS');
    expect(bootstrap.admin).toBeUndefined();
  });

  it('throws (a programmer error) rather than return an invalid bootstrap', () => {
    expect(() =>
      buildAdsBootstrap({ node: { id: 'n', cluster: 'c' }, ads: { host: '127.0.0.1', port: 70000 } }),
    ).toThrow(/port_value/);
  });
});

describe('buildStaticBootstrap', () => {
  const compiled = compileIR(readIR('full-ir.in.yaml'));
  const bootstrap = buildStaticBootstrap(compiled.xds, {
    node: { id: 'static', cluster: 'edge' },
    admin: { address: '127.0.0.1', port: 9901 },
  }) as Json;

  it('is a valid Bootstrap with everything inline (golden: testdata/full-ir.bootstrap.yaml)', () => {
    expect(validateResource({ '@type': bootstrapType, ...bootstrap })).toEqual([]);
    const actual = goldenYaml(bootstrap);
    expect(actual).toEqual(golden('full-ir.bootstrap.yaml', actual));
    const text = JSON.stringify(bootstrap);
    expect(text).not.toContain('"rds"');
    expect(text).not.toContain('"ads"');
    expect(text).not.toContain('eds_cluster_config');
  });

  it('leaves out the resources sent only to clients that name them (proxyless gRPC)', () => {
    const [first] = compiled.xds[TypeUrl.Cluster];
    const marked = {
      ...compiled.xds,
      [TypeUrl.Cluster]: compiled.xds[TypeUrl.Cluster].map((c) =>
        c === first ? { ...c, byNameOnly: true as const } : c,
      ),
    };
    const clusters = (buildStaticBootstrap(marked) as Json).static_resources.clusters.map(
      (c: Json) => c.name,
    );
    expect(clusters).not.toContain(first!.name);
    expect(clusters).toHaveLength(bootstrap.static_resources.clusters.length - 1);
  });

  it('inlines each HCM route config in place of RDS', () => {
    const https = bootstrap.static_resources.listeners.find((l: Json) => l.name === 'https');
    const hcm = https.filter_chains[0].filters[0].typed_config;
    expect(hcm.route_config.name).toBe('https-routes');
    expect(hcm.route_config.virtual_hosts.map((v: Json) => v.name)).toEqual([
      'api-example-com',
      'example-com',
    ]);
    expect(https.default_filter_chain.filters[0].typed_config.route_config.name).toBe('cleartext-routes');
  });

  it('turns EDS clusters into STATIC clusters with their endpoints', () => {
    const quote = bootstrap.static_resources.clusters.find((c: Json) => c.name === 'quote-v1');
    expect(quote.type).toBe('STATIC');
    expect(quote.load_assignment.cluster_name).toBe('quote-v1');
    expect(quote.load_assignment.endpoints.flatMap((l: Json) => l.lb_endpoints)).toHaveLength(4);
  });

  it('carries the secrets statically and references them by name only', () => {
    expect(bootstrap.static_resources.secrets.map((s: Json) => s.name)).toEqual(
      compiled.xds[TypeUrl.Secret].map((s) => s.name),
    );
    const https = bootstrap.static_resources.listeners.find((l: Json) => l.name === 'https');
    const tls = https.filter_chains[0].transport_socket.typed_config.common_tls_context;
    expect(tls.tls_certificate_sds_secret_configs).toEqual([{ name: 'default/example-com-cert' }]);
  });
});
