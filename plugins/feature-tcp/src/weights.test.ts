import { describe, expect, it } from 'vitest';
import { groupShares } from './weights.js';

describe('groupShares', () => {
  it('gives weighted members their weight and the rest an equal share of what is left', () => {
    expect(groupShares([30, undefined])).toEqual([30, 70]);
    expect(groupShares([undefined, undefined])).toEqual([50, 50]);
    expect(groupShares([undefined, undefined, undefined])).toEqual([33, 33, 34]);
    expect(groupShares([10, undefined, 20, undefined])).toEqual([10, 35, 20, 35]);
  });

  it('keeps weights that add up to less than 100 (they are relative in tcp_proxy)', () => {
    expect(groupShares([30])).toEqual([30]);
    expect(groupShares([20, 20])).toEqual([20, 20]);
  });

  it('leaves nothing for members without weight when the weights take 100', () => {
    expect(groupShares([100, undefined])).toEqual([100, 0]);
  });

  it('refuses weights over 100 in total', () => {
    expect(groupShares([60, 50])).toBeUndefined();
    expect(groupShares([101])).toBeUndefined();
  });
});
