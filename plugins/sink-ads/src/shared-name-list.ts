import { readVarint } from '@attache/envoy';

/**
 * Name lists of requests, decoded once and shared. A thousand streams send the
 * same list (1,000 cluster names for EDS: every SotW ACK repeats it, and each
 * delta stream subscribes with it): the run of length-delimited name fields is
 * decoded on first sight and the same array given back for the same bytes
 * after (the last 64 lists, found by comparing bytes). Sharing the array also
 * lets a Subscription share its sorted form (subscription.ts).
 */
const decoder = new TextDecoder('utf-8', { fatal: true });
/** Lists seen, most recent first, with their bytes: found by comparing bytes (no key string made per request). */
const seen: Array<{ bytes: Buffer; names: readonly string[] }> = [];
const seenSize = 64;

/** The names of a run of consecutive string fields (tags not checked: the caller found them); shared, do not mutate. */
export function sharedNameList(run: Uint8Array): string[] | undefined {
  const bytes = Buffer.from(run.buffer, run.byteOffset, run.byteLength);
  for (let i = 0; i < seen.length; i++) {
    const entry = seen[i] as { bytes: Buffer; names: readonly string[] };
    if (entry.bytes.length !== bytes.length || !entry.bytes.equals(bytes)) continue;
    if (i > 0) {
      seen.splice(i, 1);
      seen.unshift(entry);
    }
    return entry.names as string[];
  }
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
  // A copy: the request's buffer is grpc-js's, reused or freed after the call.
  seen.unshift({ bytes: Buffer.from(bytes), names });
  if (seen.length > seenSize) seen.pop();
  return names;
}
