import { TypeUrl } from '@attache/core';
import type { GroupState, TypeContent } from './group-state.js';
import { VirtualHostType } from './served-types.js';
import type { Subscription } from './subscription.js';

/** What a stream should hold for one type right now. */
export interface Desired {
  /** The target snapshot's resources for the subscription. */
  content: TypeContent;
  /** Names the client already has that the target dropped, kept until nothing routes to them. */
  retained: ReadonlySet<string>;
}

/** What the plan needs to know about one type of one stream. */
export interface PlanTypeView {
  readonly subscription: Subscription;
  /** A response is out and neither ACKed nor NACKed. */
  readonly inflight: boolean;
  /** Names of the resources the client has applied. */
  clientNames(): Iterable<string>;
  /** The client has applied nothing of this type (cheaper than listing the names). */
  holdsNothing(): boolean;
  /** The client holds exactly these resources, by reference (a cheap check; false when unsure). */
  holdsExactly?(resources: ReadonlyMap<string, unknown>): boolean;
  /** The client has applied exactly `desired`. */
  settled(desired: Desired): boolean;
}

const noNames: ReadonlySet<string> = new Set();

/**
 * Make-before-break for one ADS stream, as the xDS spec orders it: clusters
 * (and their endpoints) go first; listeners and routes follow only once the
 * client holds every cluster they may reference; clusters the new routes no
 * longer use are removed only after those routes are acknowledged.
 *
 * Returns the desired content per subscribed type, or 'hold' for a type that
 * must wait. Non-ADS streams cannot be ordered against each other, so each
 * type simply gets the target.
 */
export function planDelivery(
  ads: boolean,
  group: GroupState,
  types: ReadonlyMap<string, PlanTypeView>,
): Map<string, Desired | 'hold'> {
  const plan = new Map<string, Desired | 'hold'>();
  for (const [typeUrl, view] of types) {
    plan.set(typeUrl, { content: group.view(view.subscription), retained: noNames });
  }
  if (!ads) return plan;

  // Virtual hosts (VHDS) reference clusters as route tables do.
  const routing: string[] = [TypeUrl.Listener, TypeUrl.RouteConfiguration, VirtualHostType];
  const routingSettled = routing.every((typeUrl) => {
    const view = types.get(typeUrl);
    const desired = plan.get(typeUrl);
    return !view || (desired !== 'hold' && desired !== undefined && !view.inflight && view.settled(desired));
  });

  const clusterTypes = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment];
  // A client that holds (or is being sent) no listener or route cannot be routing to an old cluster: nothing to keep.
  const routesHeld = routing.some((typeUrl) => {
    const view = types.get(typeUrl);
    return view !== undefined && (view.inflight || !view.holdsNothing());
  });
  if (!routingSettled && routesHeld) {
    for (const typeUrl of clusterTypes) {
      const view = types.get(typeUrl);
      const desired = plan.get(typeUrl);
      if (!view || !desired || desired === 'hold') continue;
      // Holding exactly the desired view (the common case: clusters did not change) retains nothing.
      if (view.holdsExactly?.(desired.content.resources)) continue;
      const retained = new Set<string>();
      for (const name of view.clientNames()) {
        if (!desired.content.resources.has(name) && view.subscription.includes(name)) retained.add(name);
      }
      if (retained.size > 0) plan.set(typeUrl, { content: desired.content, retained });
    }
  }

  const clustersReady = clusterTypes.every((typeUrl) => {
    const view = types.get(typeUrl);
    if (!view) return true;
    if (view.inflight) return false;
    // Endpoints are named by clusters and may lag; only the cluster set itself gates the routes.
    const desired = plan.get(typeUrl);
    return (
      typeUrl !== TypeUrl.Cluster || (desired !== undefined && desired !== 'hold' && view.settled(desired))
    );
  });
  if (!clustersReady) {
    for (const typeUrl of routing) if (types.has(typeUrl)) plan.set(typeUrl, 'hold');
  }
  return plan;
}
