import { describe, expect, it } from 'vitest';
import { RateLimitedWriteQueue } from './write-queue.js';

describe('RateLimitedWriteQueue', () => {
  it('runs the latest job per key once, in order, and reports failures without stopping', async () => {
    const ran: string[] = [];
    const failures: string[] = [];
    const queue = new RateLimitedWriteQueue(1000, (key) => failures.push(key));
    queue.enqueue('a', async () => {
      ran.push('a1');
      return true;
    });
    // Queued behind 'a' while it runs: the second 'b' replaces the first.
    queue.enqueue('b', async () => {
      ran.push('b1');
      return true;
    });
    queue.enqueue('b', async () => {
      ran.push('b2');
      return true;
    });
    queue.enqueue('c', async () => {
      throw new Error('boom');
    });
    queue.enqueue('d', async () => {
      ran.push('d-skip');
      return false;
    });
    await queue.idle();
    expect(ran).toEqual(['a1', 'b2', 'd-skip']);
    expect(failures).toEqual(['c']);
  });

  it('drops pending jobs on clear() and accepts none after stop()', async () => {
    const ran: string[] = [];
    const queue = new RateLimitedWriteQueue(1000, () => {});
    queue.enqueue('a', async () => {
      ran.push('a');
      return true;
    });
    queue.enqueue('b', async () => {
      ran.push('b');
      return true;
    });
    queue.clear();
    await queue.idle();
    queue.stop();
    queue.enqueue('c', async () => {
      ran.push('c');
      return true;
    });
    await queue.idle();
    expect(ran).toEqual(['a']);
  });
});
