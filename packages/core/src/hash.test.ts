import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash, versionHash, versionHashOfJson } from './hash.js';

const reference = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

describe('version and content hashes', () => {
  it('are the first 16 base64url characters of the sha256 of the text, for any text', () => {
    for (const text of ['', '{}', '{"a":"é ✓ 𝄞"}', 'x'.repeat(100_000), '\u0000\uffff']) {
      expect(versionHashOfJson(text)).toBe(reference(text));
    }
    expect(versionHash({ b: 1, a: [2] })).toBe(reference('{"b":1,"a":[2]}'));
    expect(contentHash({ b: 1, a: [2] })).toBe(reference('{"a":[2],"b":1}'));
  });
});
