import { compile, TypeUrl, type XdsTypeUrl } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { grpcPlugin } from './index.js';

const yaml = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: edge, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: grpc, namespace: default}
spec: {hostname: grpc.example.com, requestPolicy: {insecure: {action: Route}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: echo, namespace: default}
spec:
  hostname: grpc.example.com
  prefix: /attache.test.Echo/
  rewrite: /attache.test.Echo/
  grpc: true
  grpc_match: {service: attache.test.Echo, method: Say}
  service: 127.0.0.1:50051
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: by-dns, namespace: default}
spec:
  hostname: grpc.example.com
  prefix: /dns.Service/
  grpc: true
  service: greeter.default:50051
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: with-tls, namespace: default}
spec:
  hostname: grpc.example.com
  prefix: /tls.Service/
  grpc: true
  service: https://secure.default:443
`;

function run(proxyless: unknown[]) {
  return compile(resourcesFromYaml(yaml, 'in.yaml'), [
    httpPlugin,
    { plugin: grpcPlugin, config: { proxyless } },
    envoyPlugin,
  ]);
}

describe('proxyless gRPC targets', () => {
  it('serve an API listener, the Host routes over RDS and EDS twins of their clusters', () => {
    const result = run([{ target: 'echo.grpc', host: 'default/grpc' }]);
    const names = (type: XdsTypeUrl) => result.xds[type].map((r) => r.name);
    expect(names(TypeUrl.Listener)).toContain('echo.grpc');
    expect(names(TypeUrl.RouteConfiguration)).toContain('grpc-proxyless/echo.grpc');
    const api = result.xds[TypeUrl.Listener].find((l) => l.name === 'echo.grpc')!.resource;
    expect(JSON.stringify(api)).toContain('"route_config_name":"grpc-proxyless/echo.grpc"');
    const rc = result.xds[TypeUrl.RouteConfiguration].find((r) => r.name === 'grpc-proxyless/echo.grpc')!
      .resource as { virtual_hosts: Array<{ domains: string[]; routes: Array<Record<string, unknown>> }> };
    expect(rc.virtual_hosts).toHaveLength(1);
    expect(rc.virtual_hosts[0]!.domains).toEqual(['echo.grpc']);
    // The TLS-originating Mapping is left out with a diagnostic; probes never reach gRPC.
    const routes = rc.virtual_hosts[0]!.routes;
    expect(routes.map((r) => r.match)).toEqual([
      { path: '/attache.test.Echo/Say' },
      { prefix: '/dns.Service/' },
    ]);
    const twin = (routes[0]!.route as { cluster: string }).cluster;
    expect(twin.startsWith('grpc-proxyless/')).toBe(true);
    const cluster = result.xds[TypeUrl.Cluster].find((c) => c.name === twin)!.resource as Record<
      string,
      unknown
    >;
    expect(cluster.type).toBe('EDS');
    const cla = result.xds[TypeUrl.ClusterLoadAssignment].find((c) => c.name === twin)!.resource;
    expect(cla).toMatchObject({
      endpoints: [
        {
          locality: {},
          load_balancing_weight: 1,
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 50051 } } } },
          ],
        },
      ],
    });
    expect(
      result.diagnostics
        .filter((d) => d.code === 'GRPC_PROXYLESS_CLUSTER_UNSUPPORTED')
        .map((d) => d.resource?.name),
    ).toEqual(['with-tls']);
    // A name resolved by DNS: a LOGICAL_DNS twin, which gRPC resolves itself.
    const dnsTwin = (routes[1]!.route as { cluster: string }).cluster;
    const dnsCluster = result.xds[TypeUrl.Cluster].find((c) => c.name === dnsTwin)!.resource as Record<
      string,
      unknown
    >;
    expect(dnsCluster.type).toBe('LOGICAL_DNS');
    expect(JSON.stringify(dnsCluster.load_assignment)).toContain('"address":"greeter.default"');
    expect(result.diagnostics.filter((d) => d.code === 'ENVOY_REJECTED')).toEqual([]);
  });

  it('Envoy resources are the same with and without targets (only the gRPC ones are added)', () => {
    const without = run([]);
    const withTargets = run([{ target: 'echo.grpc', host: 'grpc.example.com' }]);
    for (const type of Object.keys(without.xds) as XdsTypeUrl[]) {
      const added = withTargets.xds[type].filter((r) => !without.xds[type].some((w) => w.name === r.name));
      expect(
        added.every((r) => r.name === 'echo.grpc' || r.name.startsWith('grpc-proxyless/')),
        type,
      ).toBe(true);
      for (const r of without.xds[type])
        expect(withTargets.xds[type].find((w) => w.name === r.name)?.version, r.name).toBe(r.version);
    }
  });

  it('an unknown Host is named', () => {
    const result = run([{ target: 'x', host: 'default/nope' }]);
    expect(result.diagnostics.map((d) => d.code)).toContain('GRPC_PROXYLESS_TARGET_UNKNOWN');
    expect(result.xds[TypeUrl.Listener].map((l) => l.name)).not.toContain('x');
  });
});
