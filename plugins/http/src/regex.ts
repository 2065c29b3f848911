import { re2CompileError } from '@attache/envoy-facts';

/**
 * Why RE2 rejects a pattern, or null when it compiles. Cached (in @attache/envoy-facts, one
 * cache with the validator's check of the same regex): 10,000 Mappings repeat the same few
 * patterns, and compiling is the expensive part.
 */
export function re2Error(pattern: string): string | null {
  return re2CompileError(pattern) ?? null;
}
