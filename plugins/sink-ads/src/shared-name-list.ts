import { readVarint } from './wire-varint.js';

/**
 * Name lists of requests, decoded once and shared. A thousand streams send the
 * same list (1,000 cluster names for EDS: every SotW ACK repeats it, and each
 * delta stream subscribes with it): the run of length-delimited name fields is
 * decoded on first sight and the same array given back for the same bytes
 * after (a small cache keyed by the bytes). Sharing the array also lets a
 * Subscription share its sorted form (subscription.ts).
 */
const decoder = new TextDecoder('utf-8', { fatal: true });
const namesCache = new Map<string, readonly string[]>();
const namesCacheSize = 64;

/** The names of a run of consecutive string fields (tags not checked: the caller found them); shared, do not mutate. */
export function sharedNameList(run: Uint8Array): string[] | undefined {
  const key = Buffer.from(run.buffer, run.byteOffset, run.byteLength).toString('latin1');
  const known = namesCache.get(key);
  if (known) return known as string[];
  const names: string[] = [];
  const at = { pos: 0 };
  try {
    while (at.pos < run.length) {
      readVarint(run, at);
      const length = readVarint(run, at) ?? 0;
      names.push(decoder.decode(run.subarray(at.pos, at.pos + length)));
      at.pos += length;
    }
  } catch {
    return undefined;
  }
  if (namesCache.size >= namesCacheSize) namesCache.delete(namesCache.keys().next().value as string);
  namesCache.set(key, names);
  return names;
}
