/** Items per chunk at most: a run without a boundary is cut there. */
const maxChunk = 128;

/**
 * Where a list's chunks end (exclusive indexes, the last one the list's length; none for an
 * empty list): after each item whose `name` hashes to a boundary (one in 32), and after
 * `maxChunk` items without one. A function of the items' content, so lists that differ in a few
 * items share every chunk away from them.
 */
export function chunkEnds(items: readonly unknown[]): number[] {
  const ends: number[] = [];
  let start = 0;
  for (let i = 0; i < items.length; i++) {
    if (i + 1 - start >= maxChunk || endsChunk(items[i])) {
      ends.push(i + 1);
      start = i + 1;
    }
  }
  if (start < items.length) ends.push(items.length);
  return ends;
}

/** Whether an item's name ends a chunk: FNV-1a of the name, mixed (murmur3's finalizer), in 32. */
function endsChunk(item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const name = (item as { name?: unknown }).name;
  if (typeof name !== 'string') return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h & 31) === 0;
}

/** A list with its chunk ends (chunkEnds) and each chunk's digest. */
export interface ChunkedList {
  items: readonly unknown[];
  ends: readonly number[];
  digests: readonly string[];
}

/**
 * `items` chunked, each chunk digested by `digestOf(start, end)`: chunkEnds(items) and a digest
 * per chunk, as made from scratch. From `last` (the list this one replaces, never mutated), the
 * chunks inside the head both lists share (the same objects) and those of the shared tail from
 * where the boundaries meet again are the last ones: chunkEnds's only state is where the
 * current chunk started, so once a boundary falls where the last list had one, with the same
 * items after it, every later boundary is the last list's too. Only the chunks in between are
 * found and digested.
 */
export function chunkedFrom(
  items: readonly unknown[],
  last: ChunkedList | undefined,
  digestOf: (start: number, end: number) => string,
): ChunkedList {
  const n = items.length;
  if (last === undefined) {
    const ends = chunkEnds(items);
    const digests: string[] = new Array(ends.length);
    let start = 0;
    for (let c = 0; c < ends.length; c++) {
      digests[c] = digestOf(start, ends[c]!);
      start = ends[c]!;
    }
    return { items, ends, digests };
  }
  const before = last.items;
  const m = before.length;
  const most = Math.min(n, m);
  let head = 0;
  while (head < most && before[head] === items[head]) head++;
  if (head === n && n === m) return { items, ends: last.ends, digests: last.digests };
  let tail = 0;
  while (tail < most - head && before[m - 1 - tail] === items[n - 1 - tail]) tail++;
  const ends: number[] = [];
  const digests: string[] = [];
  // The last list's chunks that end inside the shared head (its end at the list's end is not a
  // boundary of its own: the list ended there).
  let c = 0;
  let start = 0;
  while (c < last.ends.length && last.ends[c]! <= head && last.ends[c]! < m) {
    ends.push(last.ends[c]!);
    digests.push(last.digests[c]!);
    start = last.ends[c]!;
    c++;
  }
  const offset = m - n;
  const tailStart = n - tail;
  for (let i = start; i < n; i++) {
    if (i + 1 - start < maxChunk && !endsChunk(items[i])) continue;
    ends.push(i + 1);
    digests.push(digestOf(start, i + 1));
    start = i + 1;
    if (start < tailStart || start === n) continue;
    // Inside the shared tail: where the last list had a boundary at the same item, the rest is its.
    while (c < last.ends.length && last.ends[c]! < start + offset) c++;
    if (c < last.ends.length && last.ends[c]! === start + offset) {
      for (c++; c < last.ends.length; c++) {
        ends.push(last.ends[c]! - offset);
        digests.push(last.digests[c]!);
      }
      return { items, ends, digests };
    }
  }
  if (start < n) {
    ends.push(n);
    digests.push(digestOf(start, n));
  }
  return { items, ends, digests };
}
