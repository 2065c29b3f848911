import { describe, expect, it } from 'vitest';
import { formatBaselineComparison } from './compile-baseline.js';
import type { CompileMeasurement } from './compile-measure.js';

function measurement(cpu: number, first: number, lower: number, outputBytes = 1000): CompileMeasurement {
  return {
    scenario: 's',
    description: '',
    inputs: { total: 0 } as CompileMeasurement['inputs'],
    runs: 5,
    generateMs: 0,
    firstRunMs: first,
    medianMs: cpu,
    firstRunCpuMs: first,
    medianCpuMs: cpu,
    minMs: cpu,
    maxMs: cpu,
    maxRssAfterFirstBytes: 100 * 2 ** 20,
    maxRssBytes: 100 * 2 ** 20,
    memory: [],
    envoyResources: {},
    envoyResourceTotal: 0,
    routes: 10,
    virtualHosts: 1,
    outputBytes,
    diagnostics: { error: 0, warning: 0, info: 0, byCode: {} },
    passes: [{ id: 'envoy.lower', phase: 'lower', ms: lower }],
  };
}

describe('formatBaselineComparison', () => {
  it('prints the median over rounds of each build, every round, and the ratio', () => {
    const text = formatBaselineComparison(
      [measurement(400, 1500, 100), measurement(440, 1400, 120), measurement(420, 1450, 90)],
      [measurement(500, 1500, 150), measurement(520, 1600, 140), measurement(480, 1550, 160)],
      '/tmp/base/tools/bench/dist/index.js',
    );
    expect(text).toContain('3 alternating round(s)');
    expect(text).toContain('CPU median (warm)      420 ms (400, 440, 420) vs 500 ms (500, 520, 480): 0.84×');
    expect(text).toContain(
      'CPU first run (cold)   1450 ms (1500, 1400, 1450) vs 1550 ms (1500, 1600, 1550): 0.94×',
    );
    expect(text).toContain('envoy.lower (1 run)    100 ms (100, 120, 90) vs 150 ms (150, 140, 160): 0.67×');
    expect(text).toContain('the same size and routes in both builds');
  });

  it('says when the two builds produce different output', () => {
    const text = formatBaselineComparison([measurement(1, 1, 1, 999)], [measurement(1, 1, 1, 1000)], 'b');
    expect(text).toContain('DIFFERS');
  });
});
