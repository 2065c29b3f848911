import { describe, expect, it } from 'vitest';
import { sameJson } from './same-json.js';

describe('sameJson', () => {
  it('holds for equal documents built apart', () => {
    const doc = () => ({ a: 1, b: [true, null, 'x', { c: [1.5, -0] }], d: {}, e: Number.NaN });
    expect(sameJson(doc(), doc())).toBe(true);
    expect(sameJson(structuredClone(doc()), doc())).toBe(true);
  });

  it('fails on any difference: a value, a key, key order, array order or length, a type', () => {
    const base = { a: 1, b: [1, 2], c: { d: 'x', e: 'y' } };
    for (const other of [
      { a: 2, b: [1, 2], c: { d: 'x', e: 'y' } },
      { a: 1, b: [2, 1], c: { d: 'x', e: 'y' } },
      { a: 1, b: [1, 2, 3], c: { d: 'x', e: 'y' } },
      { a: 1, b: [1, 2], c: { e: 'y', d: 'x' } },
      { a: 1, b: [1, 2], c: { d: 'x', f: 'y' } },
      { a: 1, b: [1, 2], c: { d: 'x' } },
      { a: '1', b: [1, 2], c: { d: 'x', e: 'y' } },
      { a: 1, b: { 0: 1, 1: 2 }, c: { d: 'x', e: 'y' } },
      { a: 1, b: [1, 2], c: null },
    ]) {
      expect(sameJson(base, other), JSON.stringify(other)).toBe(false);
      expect(sameJson(other, base), JSON.stringify(other)).toBe(false);
    }
  });

  it('counts what is not plain data as different (a Date, a class instance)', () => {
    expect(sameJson({ at: new Date(0) }, { at: new Date(0) })).toBe(false);
    expect(sameJson({ at: new Date(0) }, { at: new Date(1) })).toBe(false);
    class Box {}
    expect(sameJson(new Box(), new Box())).toBe(false);
  });
});
