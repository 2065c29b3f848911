import { describe, expect, it } from 'vitest';
import { compileError, re2CompileError } from './re2-compile.js';
import { literalShape } from './re2-shape.js';
import { programSize, re2ProgramSize } from './regex-program-size.js';

// Leading text (with and without ^) then a tail of regex pieces: plain, quantified, grouped,
// anchored, folded, alternations, counted repeats, errors and non-ASCII, to hit every exclusion.
const leads = ['', '^'];
const texts = ['', 'a', 'ab', 'Zz', '/regex/svc-17/', 'x_y-z:1=@~,%', '/api/v1/users'];
const pieces = [
  '[0-9]+',
  '.*',
  '/',
  '\\d',
  '(x)',
  '(?:ab)',
  '(?:)',
  '(?i)k',
  '(?i:q)',
  '$',
  '\\w+?',
  '[^/]*',
  '(a|b)',
  'a|b',
  '|',
  '{2,3}',
  'x{2}',
  ')',
  '(',
  '\\Q.+\\E',
  '\\x41',
  '\\pL',
  'é',
  '*',
  '+',
  '?',
  '.',
  '\\b',
  '^',
  '(?s).',
  '[[:alpha:]]',
  '\\1',
  '(?P<n>c)',
  'c',
  'Z9',
  '[a-zA-Z]',
  '\\.',
  '(x*)*',
  '(?:ab)+',
  '\\z',
];

function* patterns(): Generator<string> {
  for (const lead of leads) {
    for (const text of texts) {
      yield lead + text;
      for (const a of pieces) {
        yield lead + text + a;
        for (const b of pieces) yield lead + text + a + b;
      }
    }
  }
  // Three pieces, a deterministic spread over all of them.
  const n = pieces.length;
  for (let i = 0; i < 4000; i++) {
    const k = (i * 7919) % (n * n * n);
    const text = texts[i % texts.length]!;
    yield (i % 2 ? '^' : '') +
      text +
      pieces[k % n]! +
      pieces[Math.floor(k / n) % n]! +
      pieces[Math.floor(k / n / n)]!;
  }
}

describe('literalShape: regexes that differ in their leading text share a compile', () => {
  it('gives the same verdict and program size as compiling each pattern itself', () => {
    let shortcuts = 0;
    let checked = 0;
    for (const pattern of patterns()) {
      const shape = literalShape(pattern);
      if (shape !== undefined && compileError(shape.shape) === undefined) shortcuts++;
      expect(re2CompileError(pattern), pattern).toBe(compileError(pattern));
      expect(re2ProgramSize(pattern), pattern).toBe(programSize(pattern));
      checked++;
    }
    // The check is not vacuous: most shaped patterns took the shortcut.
    expect(checked).toBeGreaterThan(20_000);
    expect(shortcuts).toBeGreaterThan(3_000);
  });

  it('cuts the leading text to one character, and leaves alone what it cannot prove', () => {
    expect(literalShape('/regex/svc-3/[0-9]+/.*')).toEqual({ shape: 'a[0-9]+/.*', extraSize: 12 });
    expect(literalShape('^/api/v1/[0-9]+$')).toEqual({ shape: '^a[0-9]+$', extraSize: 0 });
    expect(literalShape('/api+')).toBeUndefined();
    expect(literalShape('/api/(a|b)')).toBeUndefined();
    expect(literalShape('/api/[0-9]{3}')).toBeUndefined();
    expect(literalShape('/api/é')).toBeUndefined();
    expect(literalShape('a.*')).toBeUndefined();
  });
});
