import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { utf8Bytes } from './utf8-bytes.js';

describe('utf8Bytes', () => {
  it('is over the limit exactly when Buffer.byteLength is, and then equal to it', () => {
    const random = seededRandom(15);
    // One to four UTF-8 bytes per character, a surrogate pair, a lone surrogate (3 bytes as U+FFFD).
    const characters = ['a', '/', 'é', 'ß', '€', '語', '\u{1F600}', '\ud800', '\udc00'];
    let over = 0;
    let near = 0;
    for (let i = 0; i < 5_000; i++) {
      const limit = 1 + Math.floor(random() * 64);
      let text = '';
      const length = Math.floor(random() * 80);
      for (let c = 0; c < length; c++) text += characters[Math.floor(random() * characters.length)]!;
      const bytes = Buffer.byteLength(text, 'utf8');
      const got = utf8Bytes(text, limit);
      expect(got > limit, `${JSON.stringify(text)} ${limit}`).toBe(bytes > limit);
      if (bytes > limit) {
        expect(got).toBe(bytes);
        over++;
      }
      if (Math.abs(bytes - limit) <= 3) near++;
    }
    expect(over).toBeGreaterThan(1_000);
    expect(near).toBeGreaterThan(100);
  });
});
