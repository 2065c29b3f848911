import { emptyXdsResources, TypeUrl, type XdsResources } from '@attache/core';
import { xdsResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { standInCertificate } from './placeholder-secrets.js';
import { configForEnvoy, listenerPorts, type ServePlan, upstreamNeeds } from './serve-config.js';

const certificate = standInCertificate();
const fakePem = (kind: string) => `-----BEGIN ${kind}-----\nFAKE-${kind}\n-----END ${kind}-----\n`;

function resources(): XdsResources {
  const xds = emptyXdsResources();
  const add = (json: Record<string, unknown>) => {
    const r = xdsResource(json);
    xds[r.typeUrl].push(r);
  };
  add({
    '@type': TypeUrl.Listener,
    name: 'edge-https',
    address: { socket_address: { address: '0.0.0.0', port_value: 8443 } },
    filter_chains: [{ filters: [] }],
  });
  add({
    '@type': TypeUrl.RouteConfiguration,
    name: 'rc',
    virtual_hosts: [
      { name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'dns' } }] },
    ],
  });
  add({
    '@type': TypeUrl.Cluster,
    name: 'dns',
    type: 'STRICT_DNS',
    load_assignment: {
      cluster_name: 'dns',
      endpoints: [
        {
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'quote', port_value: 80 } } } }],
        },
      ],
    },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        common_tls_context: { validation_context: { trusted_ca: { inline_string: fakePem('CERTIFICATE') } } },
      },
    },
  });
  for (const name of ['eds-own', 'eds-shared-a', 'eds-shared-b']) {
    add({
      '@type': TypeUrl.Cluster,
      name,
      type: 'EDS',
      eds_cluster_config: {
        eds_config: { ads: {} },
        service_name: name === 'eds-own' ? 'svc/own' : 'svc/shared',
      },
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {} },
        },
      },
    });
  }
  add({ '@type': TypeUrl.ClusterLoadAssignment, cluster_name: 'svc/own', endpoints: [] });
  add({
    '@type': TypeUrl.Secret,
    name: 'fake',
    tls_certificate: {
      certificate_chain: { inline_string: fakePem('CERTIFICATE') },
      private_key: { inline_string: fakePem('PRIVATE KEY') },
    },
  });
  add({
    '@type': TypeUrl.Secret,
    name: 'real',
    tls_certificate: {
      certificate_chain: { inline_bytes: Buffer.from(certificate.cert).toString('base64') },
      private_key: { inline_string: certificate.key },
    },
  });
  return xds;
}

const plan: ServePlan = {
  ports: new Map([[8443, 40001]]),
  upstreams: new Map(
    ['dns', 'eds-own', 'eds-shared-a', 'eds-shared-b'].map((n, i) => [
      n,
      { host: '127.0.0.1', port: 50000 + i },
    ]),
  ),
  certificate: { cert: 'GENERATED-CERT', key: 'GENERATED-KEY' },
};

const named = (list: Record<string, unknown>[], type: string, name: string) =>
  list.find((r) => r['@type'] === type && (r.name ?? r.cluster_name) === name) as Record<string, unknown>;

describe('configForEnvoy', () => {
  const xds = resources();
  const before = structuredClone(xds);
  const served = configForEnvoy(xds, plan);

  it('moves listeners to 127.0.0.1 on the planned port and leaves routes untouched', () => {
    expect(named(served.resources, TypeUrl.Listener, 'edge-https').address).toEqual({
      socket_address: { address: '127.0.0.1', port_value: 40001 },
    });
    expect(named(served.resources, TypeUrl.RouteConfiguration, 'rc')).toEqual(
      before[TypeUrl.RouteConfiguration][0]!.resource,
    );
    expect(xds).toEqual(before);
  });

  it('points a DNS cluster at its echo server, keeping the DNS name as the host name', () => {
    const dns = named(served.resources, TypeUrl.Cluster, 'dns');
    expect(dns.type).toBe('STATIC');
    expect(dns.load_assignment).toEqual({
      cluster_name: 'dns',
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: {
                address: { socket_address: { address: '127.0.0.1', port_value: 50000 } },
                hostname: 'quote',
              },
            },
          ],
        },
      ],
    });
  });

  it('keeps EDS with a load assignment naming the echo server, unless clusters share the service', () => {
    expect(named(served.resources, TypeUrl.Cluster, 'eds-own').type).toBe('EDS');
    expect(named(served.resources, TypeUrl.ClusterLoadAssignment, 'svc/own').endpoints).toEqual([
      {
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 50001 } } } },
        ],
      },
    ]);
    expect(served.resources.filter((r) => r['@type'] === TypeUrl.ClusterLoadAssignment)).toHaveLength(1);
    for (const [name, port] of [
      ['eds-shared-a', 50002],
      ['eds-shared-b', 50003],
    ] as const) {
      const c = named(served.resources, TypeUrl.Cluster, name);
      expect(c.type).toBe('STATIC');
      expect(c.eds_cluster_config).toBeUndefined();
      expect(JSON.stringify(c.load_assignment)).toContain(`"port_value":${port}`);
    }
  });

  it('replaces certificates and CAs that do not parse, and only those', () => {
    expect(served.substituted.sort()).toEqual([
      'dns › transport_socket.typed_config.common_tls_context.validation_context.trusted_ca',
      'fake › tls_certificate',
    ]);
    expect(named(served.resources, TypeUrl.Secret, 'fake').tls_certificate).toEqual({
      certificate_chain: { inline_string: 'GENERATED-CERT' },
      private_key: { inline_string: 'GENERATED-KEY' },
    });
    expect(named(served.resources, TypeUrl.Secret, 'real')).toEqual(
      before[TypeUrl.Secret].find((s) => s.name === 'real')!.resource,
    );
  });

  it('says what each echo server must speak, and which ports are listened on', () => {
    expect(upstreamNeeds(xds)).toEqual([
      { cluster: 'dns', protocol: 'http1', tls: true },
      { cluster: 'eds-own', protocol: 'h2c', tls: false },
      { cluster: 'eds-shared-a', protocol: 'h2c', tls: false },
      { cluster: 'eds-shared-b', protocol: 'h2c', tls: false },
    ]);
    expect(listenerPorts(xds)).toEqual([8443]);
  });
});
