import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from './backoff.js';

describe('Backoff', () => {
  it('starts at the initial delay, doubles up to the cap, and starts over after reset()', () => {
    const b = new Backoff(100, 500);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 500, 500]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});

describe('sleep', () => {
  it('resolves at once when the signal aborts, long before its delay', async () => {
    const controller = new AbortController();
    let done = false;
    const slept = sleep(60_000, controller.signal).then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    controller.abort();
    await slept;
    expect(done).toBe(true);
  });
});
