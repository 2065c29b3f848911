import { emptyXdsResources, type ResourceRef, type Snapshot, TypeUrl, type XdsTypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { buildConfigTree } from './config-tree.js';
import { renderConfig } from './ui-config.js';

const ref = (kind: string, name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind,
  namespace: 'default',
  name,
});

function snapshot(routes: number): Snapshot {
  const resources = emptyXdsResources();
  const add = (
    typeUrl: XdsTypeUrl,
    name: string,
    resource: Record<string, unknown>,
    provenance: ResourceRef[],
  ) => resources[typeUrl].push({ typeUrl, name, version: 'v', resource, provenance });
  add(
    TypeUrl.Listener,
    'default/edge',
    {
      name: 'default/edge',
      address: { socketAddress: { address: '0.0.0.0', portValue: 8080 } },
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typedConfig: { rds: { routeConfigName: 'default/edge/cleartext' } },
            },
          ],
        },
      ],
    },
    [ref('Listener', 'edge')],
  );
  const mappings = Array.from({ length: routes }, (_, i) => `m${i}`);
  add(
    TypeUrl.RouteConfiguration,
    'default/edge/cleartext',
    {
      name: 'default/edge/cleartext',
      virtualHosts: [
        {
          name: 'default/example',
          domains: ['example.com'],
          routes: mappings.map((m) => ({
            name: `default/${m}:https`,
            match: { prefix: `/${m}/` },
            route: { cluster: 'cluster_svc', prefixRewrite: '/' },
          })),
        },
      ],
    },
    [ref('Host', 'example'), ref('Listener', 'edge'), ...mappings.map((m) => ref('Mapping', m))],
  );
  add(
    TypeUrl.Cluster,
    'cluster_svc',
    { name: 'cluster_svc', type: 'EDS', edsClusterConfig: { serviceName: 'cluster_svc' } },
    [ref('Mapping', 'm0')],
  );
  add(
    TypeUrl.ClusterLoadAssignment,
    'cluster_svc',
    {
      clusterName: 'cluster_svc',
      endpoints: [
        {
          lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.7', portValue: 80 } } } }],
        },
      ],
    },
    [ref('Mapping', 'm0')],
  );
  return { group: 'default', serial: 1, version: 'v1', resources, diagnostics: [] };
}

describe('the configuration tree', () => {
  it('links listener → chain → virtual host (Host) → route (Mapping) → cluster → endpoints', () => {
    const tree = buildConfigTree(snapshot(2));
    const [listener] = tree.listeners;
    expect(listener).toMatchObject({ name: 'default/edge', address: '0.0.0.0:8080' });
    const vhost = listener!.chains[0]!.routeConfig!.virtualHosts[0]!;
    expect(vhost.provenance.map((r) => `${r.kind} ${r.name}`)).toEqual(['Host example']);
    expect(vhost.routes.map((r) => [r.name, r.match, r.clusters, r.provenance.map((p) => p.name)])).toEqual([
      ['default/m0:https', 'prefix /m0/', ['cluster_svc'], ['m0']],
      ['default/m1:https', 'prefix /m1/', ['cluster_svc'], ['m1']],
    ]);
    expect(tree.clusters.get('cluster_svc')).toMatchObject({ type: 'EDS', endpoints: ['10.0.0.7:80'] });
  });

  it('shows the first 200 routes of a virtual host and says where the rest are', () => {
    const page = renderConfig(snapshot(250)).value;
    expect(page.match(/<div class="route">/g)).toHaveLength(200);
    expect(page).toContain('… and 50 more routes');
    expect(page).toContain('route <code>default/m199:https</code>');
    expect(page).not.toContain('default/m200:https');
  });
});
