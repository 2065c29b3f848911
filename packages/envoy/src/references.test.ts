import { emptyIR, type IRCluster, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { danglingReferences } from './references.js';
import { readIR } from './testing/golden.js';

describe('danglingReferences', () => {
  it('reports a dangling route wherever its shared route list (or the route itself) appears', () => {
    const ir = readIR('full-ir.in.yaml');
    const [config] = Object.values(ir.routeConfigs);
    const routes = config!.virtualHosts[0]!.routes;
    const route = routes[0]!;
    if (route.action.kind !== 'forward') throw new Error('fixture changed');
    route.action.clusters = [{ cluster: 'no-such-cluster', weight: 100 }];
    config!.virtualHosts.push(
      { ...config!.virtualHosts[0]!, name: 'shares-the-list', routes },
      { ...config!.virtualHosts[0]!, name: 'shares-the-route', routes: [route] },
    );
    const forRoute = danglingReferences(ir, new Map()).filter((d) =>
      d.message.startsWith(`route '${route.name}' forwards to cluster 'no-such-cluster'`),
    );
    expect(forRoute).toHaveLength(3);
    expect(forRoute.every((d) => d.refs === route.provenance)).toBe(true);
  });

  it("reports a cluster's missing secrets and endpoints, and nothing for a cluster that names neither", () => {
    const ir = emptyIR();
    const cluster = (name: string, fields: Partial<IRCluster>): IRCluster => ({
      name,
      discovery: 'STRICT_DNS',
      provenance: [{ apiVersion: 'v1', kind: 'Test', namespace: 'default', name }],
      ...fields,
    });
    ir.clusters = {
      plain: cluster('plain', { targets: [{ host: 'a', port: 80 }] }),
      eds: cluster('eds', { discovery: 'EDS', edsServiceName: 'eds-service' }),
      edsFound: cluster('edsFound', { discovery: 'EDS' }),
      ca: cluster('ca', { tls: { caSecret: 'missing-ca' } }),
      both: cluster('both', { tls: { certificateSecret: 'present', caSecret: 'missing-too' } }),
      notEmitted: cluster('notEmitted', { discovery: 'EDS', tls: { caSecret: 'missing-ca' } }),
    };
    const emitted = new Map([
      [TypeUrl.Cluster, new Set(['plain', 'eds', 'edsFound', 'ca', 'both'])],
      [TypeUrl.Secret, new Set(['present'])],
      [TypeUrl.ClusterLoadAssignment, new Set(['edsFound'])],
    ]);
    expect(danglingReferences(ir, emitted).map((d) => d.message)).toEqual([
      "EDS cluster 'eds' has endpoints 'eds-service', which was not generated (it does not exist or was rejected); it has no hosts",
      "cluster 'both' uses secret 'missing-too', which was not generated (it does not exist or was rejected); Envoy keeps it warming until it exists",
      "cluster 'ca' uses secret 'missing-ca', which was not generated (it does not exist or was rejected); Envoy keeps it warming until it exists",
    ]);
  });
});
