import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDebouncer } from './debounce.js';

describe('createDebouncer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once after the quiet period following a burst', () => {
    const fire = vi.fn();
    const d = createDebouncer({ quietMs: 100, maxMs: 1000 }, fire);
    d.trigger();
    vi.advanceTimersByTime(50);
    d.trigger();
    vi.advanceTimersByTime(50);
    d.trigger();
    vi.advanceTimersByTime(99);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('caps the delay when changes never stop', () => {
    const fire = vi.fn();
    const d = createDebouncer({ quietMs: 100, maxMs: 1000 }, fire);
    for (let t = 0; t < 950; t += 50) {
      d.trigger();
      vi.advanceTimersByTime(50);
    }
    expect(fire).not.toHaveBeenCalled();
    d.trigger();
    vi.advanceTimersByTime(50);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('flush fires a pending change at once, and only then', () => {
    const fire = vi.fn();
    const d = createDebouncer({ quietMs: 100, maxMs: 1000 }, fire);
    d.flush();
    expect(fire).not.toHaveBeenCalled();
    d.trigger();
    d.flush();
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('cancel drops the pending change', () => {
    const fire = vi.fn();
    const d = createDebouncer({ quietMs: 100, maxMs: 1000 }, fire);
    d.trigger();
    d.cancel();
    vi.advanceTimersByTime(2000);
    expect(fire).not.toHaveBeenCalled();
  });
});
