import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverRateLimitCases, runRateLimitCase } from './features-ratelimit.js';

const shared = fileURLToPath(new URL('../../../../shared', import.meta.url));
const present = existsSync(`${shared}/conformance/features`);

describe.skipIf(!present)('RateLimitService conformance parts (features cases)', () => {
  const cases = discoverRateLimitCases(shared);

  it('finds the rate-limit cases', () => {
    expect(cases.map((c) => c.id)).toEqual([
      'features/80-ratelimit-service',
      'features/81-ratelimit-label-actions',
      'features/84-err-ratelimit-protocol-v2',
    ]);
  });

  for (const c of cases) {
    it(`${c.id}: filter, position, rate_limits, clusters and routing probes match Emissary's`, () => {
      const result = runRateLimitCase(c);
      expect(result.checks.map((k) => k.part)).toEqual([
        'filter',
        'position',
        'rate_limits',
        'clusters',
        'routing',
      ]);
      expect(result.checks.filter((k) => !k.ok)).toEqual([]);
    });
  }

  it('a wrong plugin set is caught: without feature-ratelimit every part differs', async () => {
    const { httpPlugin } = await import('@attache/plugin-http');
    const { envoyPlugin } = await import('@attache/envoy');
    const result = runRateLimitCase(cases[0]!, [httpPlugin, envoyPlugin]);
    expect(result.checks.filter((k) => !k.ok).map((k) => k.part)).toEqual([
      'filter',
      'position',
      'rate_limits',
      'clusters',
      'routing',
    ]);
  });
});
