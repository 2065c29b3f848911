import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** Short content hash of a value's canonical JSON (sha256, base64url, 16 chars). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 16);
}
