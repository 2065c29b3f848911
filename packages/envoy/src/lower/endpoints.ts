import { compareStrings, type IREndpoints, TypeUrl } from '@attache/core';
import { defined, type Json, type LoweredResource, socketAddress, typeUrl } from './common.js';

type IREndpoint = IREndpoints['endpoints'][number];

function compareEndpoints(a: IREndpoint, b: IREndpoint): number {
  return compareStrings(a.address, b.address) || a.port - b.port;
}

function healthStatus(healthy: boolean | undefined): string | undefined {
  if (healthy === undefined) return undefined;
  return healthy ? 'HEALTHY' : 'UNHEALTHY';
}

/** The lb_endpoints of one set of IR endpoints, sorted by address then port. */
export function lbEndpoints(endpoints: readonly IREndpoint[]): Json[] {
  // One endpoint (a cluster's single DNS target, the common case): no copy to sort.
  if (endpoints.length === 1) return [lbEndpoint(endpoints[0]!)];
  return [...endpoints].sort(compareEndpoints).map(lbEndpoint);
}

/** One LbEndpoint, keys set where defined in code-unit order (as `defined` of the literal would). */
function lbEndpoint(e: IREndpoint): Json {
  const out: Json = { endpoint: { address: socketAddress(e.address, e.port) } };
  const health = healthStatus(e.healthy);
  if (health !== undefined) out.health_status = health;
  if (e.weight !== undefined) out.load_balancing_weight = e.weight;
  return out;
}

/**
 * Endpoints grouped into one locality per zone (zone-less endpoints in a
 * locality of their own, first), so zone-aware routing can use them.
 */
export function localityEndpoints(endpoints: readonly IREndpoint[]): Json[] {
  // One zone-less endpoint (the common case): its one locality, without grouping.
  if (endpoints.length === 1 && endpoints[0]!.zone === undefined)
    return [{ lb_endpoints: lbEndpoints(endpoints) }];
  return groupedLocalityEndpoints(endpoints);
}

/** localityEndpoints without its one-endpoint shortcut (exported for its test). */
export function groupedLocalityEndpoints(endpoints: readonly IREndpoint[]): Json[] {
  const byZone = new Map<string, IREndpoint[]>();
  for (const e of endpoints) {
    const zone = e.zone ?? '';
    const inZone = byZone.get(zone);
    if (inZone === undefined) byZone.set(zone, [e]);
    else inZone.push(e);
  }
  return [...byZone.keys()].sort(compareStrings).map((zone) =>
    defined({
      lb_endpoints: lbEndpoints(byZone.get(zone)!),
      locality: zone === '' ? undefined : { zone },
    }),
  );
}

export function clusterLoadAssignment(clusterName: string, endpoints: readonly IREndpoint[]): Json {
  return { cluster_name: clusterName, endpoints: localityEndpoints(endpoints) };
}

// Made once (a constant, not a new concatenation per resource).
const clusterLoadAssignmentType = typeUrl('envoy.config.endpoint.v3.ClusterLoadAssignment');

/** IR endpoints (keyed by EDS service name) → ClusterLoadAssignment. */
export function lowerEndpoints(endpoints: IREndpoints): LoweredResource {
  return {
    typeUrl: TypeUrl.ClusterLoadAssignment,
    name: endpoints.name,
    resource: {
      '@type': clusterLoadAssignmentType,
      ...clusterLoadAssignment(endpoints.name, endpoints.endpoints),
    },
    provenance: endpoints.provenance,
    parts: [],
  };
}
