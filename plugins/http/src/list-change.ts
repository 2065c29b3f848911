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
  const shorter = Math.min(before.length, now.length);
  let start = 0;
  while (start < shorter && before[start] === now[start]) start++;
  let tail = 0;
  while (tail < shorter - start && before[before.length - 1 - tail] === now[now.length - 1 - tail]) {
    tail++;
  }
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
