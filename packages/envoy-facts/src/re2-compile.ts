import { RE2JS } from 're2js';

const verdicts = new Map<string, string | undefined>();
const cacheLimit = 10_000;

/**
 * Why RE2 refuses a pattern (re2js's message), or undefined when it compiles. One cache for
 * every user in the process: the http plugin checks a Mapping's regex, and the validator in
 * @attache/envoy checks the same regex again in the lowered route, so a regex is compiled
 * once (compiling is the costly part, the more so in a fresh process).
 */
export function re2CompileError(pattern: string): string | undefined {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  let error: string | undefined;
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    error = (e as Error).message;
  }
  if (verdicts.size >= cacheLimit) verdicts.clear();
  verdicts.set(pattern, error);
  return error;
}
