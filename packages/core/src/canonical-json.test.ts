import { describe, expect, it } from 'vitest';
import { canonicalJson, sortKeys } from './canonical-json.js';
import { contentHash } from './hash.js';

describe('canonicalJson', () => {
  const samples: unknown[] = [
    { b: 1, a: [3, { z: null, y: 'x"y' }], c: { e: true, d: false } },
    [1, 'two', { three: 3, ten: 10 }],
    { skip: undefined, keep: 0, nested: { arr: [undefined, 1] } },
    'plain',
    42,
    null,
    { unicode: 'é\u2028', neg: -0.5, big: 1e21 },
  ];

  it('equals JSON.stringify of the key-sorted copy', () => {
    for (const s of samples) expect(canonicalJson(s)).toBe(JSON.stringify(sortKeys(s)));
  });

  it('does not depend on key insertion order', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1, b: 2 })).not.toBe(contentHash({ a: 1, b: 3 }));
  });

  it('indents when asked', () => {
    expect(canonicalJson({ b: 1, a: 2 }, 1)).toBe('{\n "a": 2,\n "b": 1\n}');
  });
});
