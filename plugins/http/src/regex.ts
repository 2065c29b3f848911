import { RE2JS } from 're2js';

const verdicts = new Map<string, string | null>();

/**
 * Why RE2 rejects a pattern, or null when it compiles. Cached: 10,000
 * Mappings repeat the same few patterns, and compiling is the expensive part.
 */
export function re2Error(pattern: string): string | null {
  const cached = verdicts.get(pattern);
  if (cached !== undefined) return cached;
  let verdict: string | null = null;
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    verdict = (e as Error).message;
  }
  if (verdicts.size > 10_000) verdicts.clear();
  verdicts.set(pattern, verdict);
  return verdict;
}
