import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  countFeatureParts,
  discoverFeatureCases,
  judgeParts,
  printFeatureChecks,
  printFeatureParts,
  routingCheck,
  showJson,
  withDeliberate,
} from './feature-cases.js';
import type { CaseResult } from './run-case.js';

const shared = mkdtempSync(join(tmpdir(), 'attache-feature-cases-'));
afterAll(() => rmSync(shared, { recursive: true, force: true }));

function caseDir(name: string, files: string[]): void {
  const dir = join(shared, 'conformance', 'features', name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), f.endsWith('.json') ? '{"n": 1}' : 'kind: Mapping\n');
}

const passing: CaseResult = {
  id: 'features/1-x',
  status: 'pass',
  detail: 'all 3 probes agree',
  probes: 3,
  differingProbes: 0,
};

describe('feature cases', () => {
  caseDir('2-tcp-b', ['input.yaml', 'expected.json', 'errors.json']);
  caseDir('1-tcp-a', ['input.yaml', 'expected.json']);
  caseDir('3-tcp-no-expected', ['input.yaml']);
  caseDir('4-auth-a', ['input.yaml', 'expected.json']);

  it('finds the matching cases with input and expected output, by name, with errors.json when there is one', () => {
    const cases = discoverFeatureCases(shared, (dir) => dir.includes('-tcp-'));
    expect(cases.map((c) => c.id)).toEqual(['features/1-tcp-a', 'features/2-tcp-b']);
    expect(cases[0]!.expected).toEqual({ n: 1 });
    expect(cases[0]!.errorsFile).toBeUndefined();
    expect(cases[1]!.errorsFile).toBe(join(shared, 'conformance', 'features', '2-tcp-b', 'errors.json'));
    expect(discoverFeatureCases(join(shared, 'nowhere'), () => true)).toEqual([]);
  });

  it('judges routing by the probes, and fails a case that has none', () => {
    expect(routingCheck(passing)).toEqual({ part: 'routing', ok: true, detail: '3/3 probes agree' });
    expect(routingCheck({ ...passing, differingProbes: 1 }).ok).toBe(false);
    expect(routingCheck({ ...passing, probes: undefined, detail: 'no probes' })).toEqual({
      part: 'routing',
      ok: false,
      detail: 'no probes',
    });
  });

  it('prints one line per check and counts the failed ones', () => {
    let text = '';
    const failed = printFeatureChecks(
      [
        {
          id: 'features/1-x',
          checks: [
            { part: 'chains', ok: true, detail: 'equal' },
            { part: 'routing', ok: false, detail: '2/3 probes agree' },
          ],
        },
      ],
      (s) => {
        text += s;
      },
      { heading: 'X (features)', name: 'x', partWidth: 7 },
    );
    expect(failed).toBe(1);
    expect(text).toBe(
      '\nX (features):\nfeatures/1-x  chains   PASS  equal\nfeatures/1-x  routing  FAIL  2/3 probes agree\nx feature checks: 1 passed, 1 failed (1 cases)\n',
    );
    expect(showJson('x'.repeat(10), 5)).toBe('xx...');
  });

  it('fails a case on a part that differs, unless it differs on purpose, and counts parts per kind', () => {
    const parts = [
      { part: 'filter config', key: 'grpc_stats', ok: false, detail: 'expected a; got b' },
      { part: 'cluster', key: '/a', ok: true },
    ];
    const strict = judgeParts(passing, withDeliberate('features/1-x', parts, []), 'gRPC parts');
    expect(strict.status).toBe('fail');
    expect(strict.detail).toBe('filter config grpc_stats: expected a; got b');
    const deliberate = [{ case: 'features/1', part: 'filter config', key: 'grpc', reason: 'on purpose' }];
    const lenient = judgeParts(passing, withDeliberate('features/1-x', parts, deliberate), 'gRPC parts');
    expect(lenient.status).toBe('pass');
    expect(lenient.detail).toBe('2 gRPC parts match (1 differ on purpose); all 3 probes agree');
    expect(countFeatureParts([lenient])).toEqual({
      'filter config': { compared: 1, match: 0, deliberate: 1 },
      cluster: { compared: 1, match: 1, deliberate: 0 },
    });
    let text = '';
    expect(printFeatureParts([lenient, strict], (s) => (text += s), { heading: 'G', name: 'gRPC' })).toBe(1);
    expect(text.split('\n').at(-2)).toBe(
      'gRPC feature parts matching Emissary: filter config 0/2 (+1 on purpose), cluster 2/2; 1/2 cases pass',
    );
    text = '';
    printFeatureParts([], (s) => (text += s), { heading: 'R', name: 'resolver', always: ['cluster'] });
    expect(text).toBe('\nR:\nresolver feature parts matching Emissary: cluster 0/0; 0/0 cases pass\n');
  });
});
