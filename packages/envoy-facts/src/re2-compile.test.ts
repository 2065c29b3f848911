import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { re2CompileError } from './re2-compile.js';

describe('re2CompileError', () => {
  it("gives re2js's message for a pattern RE2 refuses, undefined for one it compiles, the same when cached", () => {
    let message: string | undefined;
    try {
      RE2JS.compile('(?<name');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBeDefined();
    for (let i = 0; i < 2; i++) {
      expect(re2CompileError('(?<name')).toBe(message);
      expect(re2CompileError('^/api/v[0-9]+/')).toBeUndefined();
      expect(re2CompileError('a{1001}')).toBeDefined();
    }
  });
});
