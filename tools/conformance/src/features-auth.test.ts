import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countAuthParts, discoverAuthCases, runAuthCase } from './features-auth.js';

const shared = join(import.meta.dirname, '..', '..', '..', '..', 'shared');
const cases = existsSync(shared) ? discoverAuthCases(shared) : [];

describe.skipIf(cases.length === 0)('AuthService conformance with Emissary (features/*-auth-*)', () => {
  const results = cases.map((c) => runAuthCase(c));
  it.each(results.map((r) => [r.id, r] as const))(
    '%s: routing and every auth part match Emissary',
    (_id, r) => {
      expect(r.parts.length).toBeGreaterThan(3);
      expect(
        r.parts.filter((p) => !p.ok && !p.deliberate),
        r.detail,
      ).toEqual([]);
      expect(r.status, r.detail).toBe('pass');
    },
  );
  it('counts every kind of part', () => {
    const counts = countAuthParts(results);
    expect(Object.keys(counts).sort()).toEqual([
      'cluster',
      'filter config',
      'filter order',
      'per-route config',
    ]);
  });
});
