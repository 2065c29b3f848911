import { compile, createPipeline, definePlugin } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { timePasses } from './pass-timing.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: the pass takes measurable time
  }
};

const plugin = definePlugin({
  id: 'timed',
  register(reg) {
    reg.pass({
      id: 'timed.slow',
      phase: 'build',
      reads: [],
      writes: ['timed.a'],
      reason: 'test',
      run: () => busy(20),
    });
    reg.pass({
      id: 'timed.quick',
      phase: 'build',
      reads: ['timed.a'],
      writes: [],
      reason: 'test',
      run: () => {},
    });
  },
});

describe('timePasses', () => {
  it('tallies each pass of a compile by id, and take() starts a new tally', () => {
    const timed = timePasses(createPipeline([plugin]));
    compile([], timed.pipeline);
    const first = timed.take();
    expect(Object.keys(first).sort()).toEqual(['timed.quick', 'timed.slow']);
    expect(first['timed.slow']).toBeGreaterThanOrEqual(20);
    expect(first['timed.quick']!).toBeLessThan(first['timed.slow']!);
    expect(timed.take()).toEqual({});
    compile([], timed.pipeline);
    compile([], timed.pipeline);
    expect(timed.take()['timed.slow']).toBeGreaterThanOrEqual(40);
  });
});
