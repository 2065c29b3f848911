import { Session } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { formatHeapSamples, type HeapSampleNode, summarizeHeapSamples } from './heap-samples.js';

const node = (functionName: string, url: string, selfSize: number, children: HeapSampleNode[] = []) => ({
  callFrame: { functionName, url, lineNumber: 9 },
  selfSize,
  children,
});

describe('summarizeHeapSamples', () => {
  it('sums self bytes by site across profiles, largest first, paths made relative', () => {
    const a = node('(root)', '', 0, [
      node('build', 'file:///repo/plugins/http/dist/build.js', 4096, [node('slice', '', 2048)]),
      node('slice', '', 1024),
    ]);
    const b = node('(root)', '', 0, [node('build', 'file:///repo/plugins/http/dist/build.js', 1024)]);
    const summary = summarizeHeapSamples([a, b], { root: '/repo' });
    expect(summary.totalBytes).toBe(8192);
    expect(summary.bySite).toEqual([
      { where: 'plugins/http/dist/build.js:build:10', bytes: 5120 },
      { where: 'slice', bytes: 3072 },
    ]);
    expect(formatHeapSamples(summary, 2, 'edit').split('\n')[0]).toBe(
      '  allocated 4.0 KiB per edit (sampled), by site:',
    );
  });

  it('reads a real sampling profile: an allocating function is found with about what it allocated', async () => {
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    let kept = 0;
    function allocateArrays() {
      for (let i = 0; i < 2000; i++) kept += new Array(256).fill(i).length; // ~2 KiB each, 4 MiB in all
    }
    allocateArrays();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    const summary = summarizeHeapSamples([profile.head as HeapSampleNode], { top: 50 });
    const mine = summary.bySite.filter((s) => s.where.includes('allocateArrays'));
    const bytes = mine.reduce((n, s) => n + s.bytes, 0);
    expect(kept).toBe(512000);
    expect(bytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(bytes).toBeLessThan(8 * 1024 * 1024);
  });
});
