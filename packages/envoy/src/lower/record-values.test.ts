import { describe, expect, it } from 'vitest';
import { recordValues } from './record-values.js';

describe('recordValues', () => {
  it('gives what Object.values gives, in its order, for small and dictionary-mode records', () => {
    for (const size of [0, 1, 7, 300, 5000]) {
      const record: Record<string, { name: string }> = {};
      // Keys added out of name order, some removed again (a dictionary-mode object's enumeration order).
      for (let i = 0; i < size; i++) record[`name-${(i * 7919) % size}`] = { name: `n${i}` };
      for (let i = 0; i < size; i += 5) delete record[`name-${(i * 31) % size}`];
      record['10'] = { name: 'an index-like key, enumerated first' };
      const values = recordValues(record);
      const expected = Object.values(record);
      expect(values.length).toBe(expected.length);
      expect(values.every((value, i) => value === expected[i])).toBe(true);
    }
  });
});
