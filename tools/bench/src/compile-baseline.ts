import type { CompileMeasurement } from './compile-measure.js';
import { median } from './compile-measure.js';

/**
 * This build against another (`compile --baseline`), one scenario: each figure is the median
 * over rounds that alternated the two builds, every round's value listed, and the ratio
 * this ÷ baseline (below 1: this build uses less).
 */
export function formatBaselineComparison(
  mine: readonly CompileMeasurement[],
  base: readonly CompileMeasurement[],
  baselinePath: string,
): string {
  const row = (label: string, of: (m: CompileMeasurement) => number, unit: string, digits = 0) => {
    const a = mine.map(of);
    const b = base.map(of);
    const ratio = median(sorted(a)) / median(sorted(b));
    const show = (xs: number[]) => xs.map((x) => x.toFixed(digits)).join(', ');
    return `    ${label.padEnd(22)} ${median(sorted(a)).toFixed(digits)} ${unit} (${show(a)}) vs ${median(sorted(b)).toFixed(digits)} ${unit} (${show(b)}): ${ratio.toFixed(2)}×`;
  };
  const pass = (id: string) => (m: CompileMeasurement) => m.passes.find((p) => p.id === id)?.ms ?? Number.NaN;
  const sameOutput = mine.every(
    (m) => m.outputBytes === base[0]?.outputBytes && m.routes === base[0]?.routes,
  );
  return [
    `  against ${baselinePath}, ${mine.length} alternating round(s): this build vs baseline, ratio`,
    row('CPU median (warm)', (m) => m.medianCpuMs, 'ms'),
    row('CPU first run (cold)', (m) => m.firstRunCpuMs, 'ms'),
    row('wall median', (m) => m.medianMs, 'ms'),
    row('envoy.lower (1 run)', pass('envoy.lower'), 'ms'),
    row('peak RSS after first', (m) => m.maxRssAfterFirstBytes / 2 ** 20, 'MiB', 1),
    `    output                ${sameOutput ? 'the same size and routes in both builds' : 'DIFFERS between the builds (size or routes)'}`,
  ].join('\n');
}

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}
