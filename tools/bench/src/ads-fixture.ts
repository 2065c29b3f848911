import {
  compile,
  contentHash,
  type Snapshot,
  type StoredResource,
  TypeUrl,
  type XdsResource,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { edsClusterResources, xdsSnapshot } from '@attache/testkit';

/** Mappings per upstream service: 10,000 routes spread over 1,000 clusters by default. */
const routesPerService = 10;

/**
 * The input of the ADS benchmark: one Listener and `routes` Mappings; `variant`
 * changes one Mapping's prefix. With `hosts` > 0 the Mappings are spread over
 * that many cleartext Hosts (h0.example.com …), so the one route table has one
 * virtual host per Host (what VHDS splits); otherwise they all go to `*`.
 */
export function adsBenchInputs(routes: number, variant = 0, hosts = 0): StoredResource[] {
  const origin = { source: 'bench' };
  const inputs: StoredResource[] = [
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Listener',
        metadata: { name: 'edge', namespace: 'default' },
        spec: {
          port: 8080,
          protocol: 'HTTP',
          securityModel: 'XFP',
          hostBinding: { namespace: { from: 'ALL' } },
        },
      },
      origin,
    },
  ];
  for (let h = 0; h < hosts; h++) {
    inputs.push({
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        metadata: { name: `h${h}`, namespace: 'default' },
        spec: { hostname: `h${h}.example.com`, requestPolicy: { insecure: { action: 'Route' } } },
      },
      origin,
    });
  }
  const services = Math.max(1, Math.ceil(routes / routesPerService));
  for (let i = 0; i < routes; i++) {
    inputs.push({
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: `route-${i}`, namespace: 'default' },
        spec: {
          hostname: hosts > 0 ? `h${i % hosts}.example.com` : '*',
          prefix: i === 0 && variant > 0 ? `/svc-0-v${variant}/` : `/svc-${i}/`,
          service: `svc-${i % services}.default:8080`,
        },
      },
      origin,
    });
  }
  return inputs;
}

export interface AdsBenchSnapshot {
  snapshot: Snapshot;
  compileMs: number;
}

/**
 * Compile the Mappings and serve the clusters as EDS (cluster + endpoints),
 * as a Kubernetes endpoint resolver would, so that endpoint-only changes exist.
 */
export function compileAdsBenchSnapshot(
  routes: number,
  serial: number,
  variant = 0,
  hosts = 0,
): AdsBenchSnapshot {
  const started = performance.now();
  const result = compile(adsBenchInputs(routes, variant, hosts), [httpPlugin, envoyPlugin]);
  const compileMs = performance.now() - started;
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0)
    throw new Error(`ads bench: the generated Mappings do not compile: ${errors[0]?.message}`);
  const snapshot = xdsSnapshot({
    serial,
    resources: [
      ...result.xds[TypeUrl.Listener],
      ...result.xds[TypeUrl.RouteConfiguration],
      ...edsClusterResources(result.xds[TypeUrl.Cluster]),
    ],
  });
  return { snapshot, compileMs };
}

/** The same snapshot with one endpoint of one cluster moved to another port: an endpoint-only change. */
export function withMovedEndpoint(base: Snapshot, serial: number, port: number): Snapshot {
  const assignments = base.resources[TypeUrl.ClusterLoadAssignment];
  const first = assignments[0];
  if (!first) throw new Error('ads bench: no ClusterLoadAssignment to change');
  const moved = {
    ...first.resource,
    endpoints: [
      {
        locality: {},
        load_balancing_weight: 1,
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: port } } } },
        ],
      },
    ],
  };
  const changed: XdsResource = { ...first, resource: moved, version: contentHash(moved) };
  return xdsSnapshot({
    serial,
    resources: Object.values({
      ...base.resources,
      [TypeUrl.ClusterLoadAssignment]: [changed, ...assignments.slice(1)],
    }).flat(),
  });
}
