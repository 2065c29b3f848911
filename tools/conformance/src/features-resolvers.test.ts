import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverResolverCases, runResolverCase } from './features-resolvers.js';

const shared = fileURLToPath(new URL('../../../../shared', import.meta.url));
const present = existsSync(`${shared}/conformance/features`);

describe.skipIf(!present)('resolver conformance parts (features cases)', () => {
  const cases = discoverResolverCases(shared);

  it('finds the resolver cases', () => {
    expect(cases.map((c) => c.id)).toEqual(['features/104-consul-resolver']);
  });

  for (const c of cases) {
    it(`${c.id}: every route's cluster (EDS service name included) and routing match Emissary's`, () => {
      const result = runResolverCase(c);
      expect(result.status, result.detail).toBe('pass');
      expect(result.parts.map((p) => p.key)).toEqual(['/', '/orders/']);
      expect(result.parts.filter((p) => !p.ok)).toEqual([]);
    });
  }

  it('a ConsulResolver that became something else is caught: the default resolver gives STRICT_DNS', async () => {
    const c = cases[0]!;
    const { readFileSync, writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'resolver-case-'));
    const input = join(dir, 'input.yaml');
    writeFileSync(
      input,
      readFileSync(c.inputs[0]!, 'utf8').replace('resolver: consul-dc1', 'resolver: endpoint'),
    );
    const result = runResolverCase({ ...c, inputs: [input] });
    expect(result.parts.filter((p) => !p.ok).map((p) => p.key)).toEqual(['/orders/']);
  });
});
