import { compareStrings, PassMemoStore, xdsPushOrder } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { loweringMemo } from '../lowering-memo.js';
import { readIR } from '../testing/golden.js';
import { type LoweredResource, lowerIR } from './index.js';

/** The order lowerIR promises: push order by type, then by name. */
function sorted(resources: readonly LoweredResource[]): LoweredResource[] {
  const rank = (r: LoweredResource) => xdsPushOrder.indexOf(r.typeUrl);
  return [...resources].sort((a, b) => rank(a) - rank(b) || compareStrings(a.name, b.name));
}

describe('lowerIR', () => {
  it('gives resources in push order, each type by name, without sorting them at the end', () => {
    const ir = readIR('full-ir.in.yaml');
    const plain = lowerIR(ir);
    // Every type of the push order is there, more than one of some: the order is really tested.
    expect(new Set(plain.map((r) => r.typeUrl)).size).toBe(xdsPushOrder.length);
    expect(plain.map((r) => `${r.typeUrl} ${r.name}`)).toEqual(
      sorted(plain).map((r) => `${r.typeUrl} ${r.name}`),
    );
    // Records filled in another order, and under an incremental compiler's memo: the same.
    const reversed = Object.fromEntries(
      Object.entries(ir).map(([facet, record]) => [
        facet,
        record && typeof record === 'object' && !Array.isArray(record)
          ? Object.fromEntries(Object.entries(record).reverse())
          : record,
      ]),
    ) as typeof ir;
    const kept = loweringMemo(new PassMemoStore(() => {}), '');
    for (const lowered of [lowerIR(reversed), lowerIR(ir, kept), lowerIR(reversed, kept)]) {
      expect(lowered.map((r) => `${r.typeUrl} ${r.name}`)).toEqual(
        plain.map((r) => `${r.typeUrl} ${r.name}`),
      );
    }
  });
});
