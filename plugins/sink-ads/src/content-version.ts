import { createHash } from 'node:crypto';

/** The version_info of a set of resources: a hash of their names and content hashes, so equal sets give equal versions. */
export function contentVersion(resources: Iterable<{ name: string; version: string }>): string {
  const entries = [...resources].map((r) => `${r.name}\u0000${r.version}`);
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const entry of entries) hash.update(entry).update('\n');
  return hash.digest('base64url').slice(0, 16);
}
