import { describe, expect, it } from 'vitest';
import { WatchLag } from './watch-lag.js';

describe('WatchLag', () => {
  it('measures from the earliest write a cycle read, and keeps later writes for the next cycle', () => {
    const lag = new WatchLag();
    lag.wrote('file', 1_000);
    lag.wrote('file', 1_010);
    lag.wrote('kubernetes', 1_005);
    lag.wrote('file', 1_100); // after the cycle read the store
    expect(lag.cycleFinished(1_050, 1_200)).toEqual(
      new Map([
        ['file', 200],
        ['kubernetes', 195],
      ]),
    );
    // The late write belongs to the next cycle; kubernetes has nothing pending.
    expect(lag.cycleFinished(1_300, 1_400)).toEqual(new Map([['file', 300]]));
    expect(lag.cycleFinished(1_500, 1_600)).toEqual(new Map());
  });
});
