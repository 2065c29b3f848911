import { RE2JS } from 're2js';
import { literalShape } from './re2-shape.js';

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
  // Regexes that differ only in their leading literal text share one compile (re2-shape.ts).
  const shape = literalShape(pattern);
  const error =
    shape !== undefined && re2CompileError(shape.shape) === undefined ? undefined : compileError(pattern);
  if (verdicts.size >= cacheLimit) verdicts.clear();
  verdicts.set(pattern, error);
  return error;
}

/** re2CompileError without its caches and shapes: a compile of the pattern itself. */
export function compileError(pattern: string): string | undefined {
  let error: string | undefined;
  try {
    const compiled = RE2JS.compile(pattern);
    // Envoy's RE2 reads a pattern as Latin-1; for an ASCII pattern that is the same text, so
    // the program-size measure can use this compile instead of compiling the pattern again.
    if (isAscii(pattern)) lastAsciiCompile = { pattern, compiled };
  } catch (e) {
    error = (e as Error).message;
  }
  return error;
}

let lastAsciiCompile: { pattern: string; compiled: RE2JS } | undefined;

/**
 * The re2js compile of `pattern` made by the latest re2CompileError call, if that call compiled
 * this same ASCII pattern (taken once: it is not kept beyond the next measure). Callers check a
 * pattern's error first and measure its size next, so the second compile is saved without
 * keeping compiled programs alive.
 */
export function takeAsciiCompile(pattern: string): RE2JS | undefined {
  const last = lastAsciiCompile;
  if (last?.pattern !== pattern) return undefined;
  lastAsciiCompile = undefined;
  return last.compiled;
}

/** Whether every character is ASCII (its UTF-8 bytes read as Latin-1 are the same text). */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
