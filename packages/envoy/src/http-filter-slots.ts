import { compareStrings, type IRHttpFilter } from '@attache/core';

/**
 * The one ordered table of HTTP filter slots. Feature plugins put a filter in
 * a named slot and never choose a number; the order of an HCM's filters is
 * this table's order, with the reason for each position beside it.
 */
export const httpFilterSlots = [
  {
    slot: 'health_check',
    reason: 'answers load-balancer health probes before any auth or rate limit can refuse them',
  },
  {
    slot: 'grpc_http1_bridge',
    reason:
      'turns gRPC sent over HTTP/1.1 into gRPC (and back) before anything inspects it; first of the gRPC filters, as in Emissary',
  },
  {
    slot: 'grpc_web',
    reason:
      "translates gRPC-Web to gRPC before anything else inspects the request, as Emissary and Envoy's gRPC-Web examples do; it ignores CORS preflights, which carry no gRPC-Web content type",
  },
  {
    slot: 'grpc_stats',
    reason: 'counts gRPC calls right after gRPC-Web translation, so browser and native clients count alike',
  },
  {
    slot: 'cors',
    reason:
      'must see (and answer) CORS preflights before authentication, which would reject them for lacking credentials',
  },
  {
    slot: 'fault',
    reason: 'injected faults stand in for the upstream, but only for requests that got this far (after CORS)',
  },
  {
    slot: 'jwt_authn',
    reason: 'verifies bearer tokens locally and publishes the claims ext_authz and ratelimit may use',
  },
  {
    slot: 'authn',
    reason: 'other local authentication (basic auth, OAuth2) before the external authorisation decision',
  },
  {
    slot: 'rbac',
    reason: 'local allow/deny policy is cheap, so it runs before the remote ext_authz round trip',
  },
  {
    slot: 'ext_authz',
    reason: 'an unauthorised request must not consume rate-limit budget, so authorisation precedes ratelimit',
  },
  {
    slot: 'local_ratelimit',
    reason: 'the in-process token bucket sheds load before the global ratelimit service is asked',
  },
  {
    slot: 'ratelimit',
    reason: 'charges only authorised requests: an unauthorised one must not spend the budget',
  },
  {
    slot: 'lua',
    reason:
      'user scripts see the request as the upstream will (authorised, translated), just before buffering',
  },
  {
    slot: 'buffer',
    reason:
      'buffers the whole request body last, so earlier filters can stop a request before it is buffered',
  },
  {
    slot: 'compressor',
    reason: 'compresses responses; as the last encoder-side filter before the router it sees the final body',
  },
  {
    slot: 'custom_response',
    reason:
      "rewrites error responses (error_response_overrides); next to the router it is the first to see upstream responses and the router's own replies on the way back, so compression and Lua see the rewritten body, as with Emissary's response_map just before the router",
  },
  {
    slot: 'router',
    reason: 'the terminal filter: it forwards the request, so nothing may follow it (lowering appends it)',
  },
] as const satisfies ReadonlyArray<{ slot: string; reason: string }>;

export type HttpFilterSlot = (typeof httpFilterSlots)[number]['slot'];

const slotIndex = new Map<string, number>(httpFilterSlots.map((s, i) => [s.slot, i]));

export function isHttpFilterSlot(slot: string): slot is HttpFilterSlot {
  return slotIndex.has(slot);
}

function indexOfSlot(filter: IRHttpFilter): number {
  const index = slotIndex.get(filter.slot);
  if (index === undefined) {
    throw new Error(
      `HTTP filter '${filter.name}' names unknown slot '${filter.slot}'; known slots: ${httpFilterSlots.map((s) => s.slot).join(', ')}`,
    );
  }
  return index;
}

/**
 * Sorts filters by slot, then `order`, then name: a stable, total order, so
 * the same filters always give the same HCM. Unknown slots are programmer
 * errors (a plugin bug) and throw, naming the slot and the known ones.
 */
export function orderHttpFilters<F extends IRHttpFilter>(filters: readonly F[]): F[] {
  const keyed = filters.map((filter) => ({ filter, slot: indexOfSlot(filter) }));
  keyed.sort(
    (a, b) =>
      a.slot - b.slot ||
      (a.filter.order ?? 0) - (b.filter.order ?? 0) ||
      compareStrings(a.filter.name, b.filter.name),
  );
  return keyed.map((k) => k.filter);
}
