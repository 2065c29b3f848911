import { describe, expect, it } from 'vitest';
import { KeptByString } from './kept-by-string.js';

describe('KeptByString', () => {
  it('keeps what the last compile used, drops what it did not', () => {
    const kept = new KeptByString<number>();
    kept.rotate();
    kept.set('a', 1);
    kept.set('b', 2);
    kept.rotate(); // the next compile uses 'a' only
    expect(kept.get('a')).toBe(1);
    kept.rotate(); // 'b' was not used by the last compile: gone
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')).toBe(1);
    kept.set('a', 3);
    kept.rotate();
    expect(kept.get('a')).toBe(3);
  });
});
