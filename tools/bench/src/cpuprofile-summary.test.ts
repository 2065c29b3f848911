import { describe, expect, it } from 'vitest';
import { type CpuProfile, summarizeCpuProfile } from './cpuprofile-summary.js';

// (root) → compile (a.js:1) → lower (b.js:10) → lower (recursion) ; compile → sortKeys (c.js:5)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 6] },
    {
      id: 2,
      callFrame: { functionName: 'compile', url: 'file:///repo/a.js', lineNumber: 0 },
      children: [3, 5],
    },
    { id: 3, callFrame: { functionName: 'lower', url: 'file:///repo/b.js', lineNumber: 9 }, children: [4] },
    { id: 4, callFrame: { functionName: 'lower', url: 'file:///repo/b.js', lineNumber: 9 }, children: [] },
    {
      id: 5,
      callFrame: {
        functionName: 'sortKeys',
        url: 'file:///repo/node_modules/.pnpm/x@1/node_modules/x/c.js',
        lineNumber: 4,
      },
    },
    { id: 6, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [4, 4, 3, 5, 2, 6],
  timeDeltas: [1000, 1000, 1000, 3000, 2000, 2000],
};

describe('summarizeCpuProfile', () => {
  it('ranks self time, inclusive time (recursion counted once) and time per file', () => {
    const s = summarizeCpuProfile(profile, { root: '/repo' });
    expect(s.totalMs).toBe(10);
    expect(s.selfByFunction.map((h) => [h.where, h.ms])).toEqual([
      ['b.js:lower:10', 3],
      ['x/c.js:sortKeys:5', 3],
      ['(garbage collector)', 2],
      ['a.js:compile:1', 2],
    ]);
    expect(s.inclusiveByFunction.map((h) => [h.where, h.ms])).toEqual([
      ['a.js:compile:1', 8],
      ['b.js:lower:10', 3],
      ['x/c.js:sortKeys:5', 3],
      ['(garbage collector)', 2],
    ]);
    expect(s.selfByFile[0]).toEqual({ where: 'b.js', ms: 3, share: 0.3 });
    expect(s.gcMs).toBe(2);
  });

  it('ranks only the samples inside a chosen frame when asked, with shares of that time', () => {
    const s = summarizeCpuProfile(profile, { root: '/repo', within: (f) => f.functionName === 'lower' });
    expect(s.totalMs).toBe(10);
    expect(s.focusMs).toBe(3);
    expect(s.selfByFunction).toEqual([{ where: 'b.js:lower:10', ms: 3, share: 1 }]);
    // compile() calls lower(): it is outside the focus, so it is not ranked.
    expect(s.inclusiveByFunction).toEqual([{ where: 'b.js:lower:10', ms: 3, share: 1 }]);
  });
});
