/**
 * The share of connections each member of a TCPMapping group gets, as
 * Emissary means it (irbasemappinggroup.py normalize_weights_in_mappings):
 * members with a weight get it; members without share what is left equally
 * (the last one takes the rounding remainder). Emissary then writes the
 * cumulative sums (30, 100) into tcp_proxy, whose weights are relative, so
 * Envoy splits 23/77 instead of 30/70; these are the intended shares, which
 * Envoy's relative weights express directly. A member whose share is 0 gets
 * no connections (tcp_proxy refuses a weight of 0, so it is left out).
 *
 * Returns undefined when the explicit weights add up to more than 100.
 */
export function groupShares(weights: ReadonlyArray<number | undefined>): number[] | undefined {
  let assigned = 0;
  for (const w of weights) if (w !== undefined) assigned += w;
  if (assigned > 100) return undefined;
  const unweighted = weights.filter((w) => w === undefined).length;
  const left = 100 - assigned;
  const each = unweighted > 0 ? Math.floor(left / unweighted) : 0;
  let seen = 0;
  return weights.map((w) => {
    if (w !== undefined) return w;
    seen += 1;
    return seen === unweighted ? left - each * (unweighted - 1) : each;
  });
}
