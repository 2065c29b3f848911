import { sharedEnds } from '@attache/core';

/**
 * What changed between two lists holding mostly the same objects in the same
 * order (the Mapping list of one compile and of the next, under an incremental
 * compiler): the objects of the part between their longest common prefix and
 * suffix that are in one list and not the other. Costs one identity comparison
 * per unchanged element, and set work only for the changed middle.
 *
 * Exact for lists without repeated objects whose common objects keep their
 * relative order (both are sorted by one key); an object that moved is neither
 * added nor removed.
 */
export function listChange<T>(before: readonly T[], now: readonly T[]): { added: T[]; removed: T[] } {
  const { head: start, tail } = sharedEnds(before, now);
  const wasThere = before.slice(start, before.length - tail);
  const isThere = now.slice(start, now.length - tail);
  if (wasThere.length === 0) return { added: isThere, removed: [] };
  if (isThere.length === 0) return { added: [], removed: wasThere };
  const old = new Set(wasThere);
  const fresh = new Set(isThere);
  return {
    added: isThere.filter((x) => !old.has(x)),
    removed: wasThere.filter((x) => !fresh.has(x)),
  };
}

/**
 * The change of each list from the one before it, as computed or recorded last: several passes
 * compare the same two Mapping lists. Only the newest pair of a chain is kept (recording one
 * forgets the entry of its `before`): a value holds its key's predecessor, so entries left in
 * place would keep every compile's list alive.
 */
const known = new WeakMap<readonly unknown[], { before: readonly unknown[]; change: ListChange<unknown> }>();

export interface ListChange<T> {
  readonly added: readonly T[];
  readonly removed: readonly T[];
}

/** `listChange(before, now)`, computed once for the pair (its result is shared: read, never edit). */
export function listChangeOnce<T>(before: readonly T[], now: readonly T[]): ListChange<T> {
  const hit = knownListChange(before, now);
  if (hit !== undefined) return hit;
  const change = listChange(before, now);
  recordListChange(before, now, change);
  return change;
}

/** The change computed or recorded for the pair, if any. */
export function knownListChange<T>(before: readonly T[], now: readonly T[]): ListChange<T> | undefined {
  const hit = known.get(now);
  return hit !== undefined && hit.before === before ? (hit.change as ListChange<T>) : undefined;
}

/**
 * Records what `listChange(before, now)` would give, known otherwise: `before` and `now` hold,
 * element for element, the objects of two lists whose change was computed.
 */
export function recordListChange<T>(before: readonly T[], now: readonly T[], change: ListChange<T>): void {
  known.delete(before);
  known.set(now, { before, change });
}
