import { describe, expect, it } from 'vitest';
import { collectGarbage, weakly } from './retention.js';

describe('collectGarbage and weakly', () => {
  it('let an object nothing holds be collected', async () => {
    const ref = weakly(() => ({ big: new Array(1000).fill(1) }));
    await collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it('keep an object something still holds', async () => {
    const held = { big: new Array(1000).fill(1) };
    const ref = weakly(() => held);
    await collectGarbage();
    expect(ref.deref()).toBe(held);
  });
});
