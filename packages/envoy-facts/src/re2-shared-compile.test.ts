import { describe, expect, it, vi } from 'vitest';

type Facts = typeof import('./index.js');

/** A fresh copy of the module graph: its caches (verdicts, sizes, the last compile) start empty. */
async function fresh(): Promise<Facts> {
  vi.resetModules();
  return (await import('./index.js')) as Facts;
}

const patterns = [
  '^/api/v[0-9]+/users/[^/]+$',
  '/[a-z]{40}',
  'x(y|z)*w',
  '^/(a|b|c)/d?$',
  'é+[à-ÿ]',
  '(?i)Hello',
];

describe('re2CompileError then re2ProgramSize: one compile of an ASCII pattern', () => {
  it('measures the same size as a compile of its own', async () => {
    for (const pattern of patterns) {
      const alone = (await fresh()).re2ProgramSize(pattern);
      const facts = await fresh();
      expect(facts.re2CompileError(pattern)).toBeUndefined();
      expect(facts.re2ProgramSize(pattern), pattern).toBe(alone);
      expect(alone, pattern).toBeGreaterThan(0);
    }
  });

  it('hands the compile over once, only for the same ASCII pattern', async () => {
    await fresh();
    const { re2CompileError, takeAsciiCompile } = await import('./re2-compile.js');
    re2CompileError('a+b');
    expect(takeAsciiCompile('a+c')).toBeUndefined();
    expect(takeAsciiCompile('a+b')).toBeDefined();
    expect(takeAsciiCompile('a+b')).toBeUndefined();
    re2CompileError('é+');
    expect(takeAsciiCompile('é+')).toBeUndefined();
    re2CompileError('(unclosed');
    expect(takeAsciiCompile('(unclosed')).toBeUndefined();
  });
});
