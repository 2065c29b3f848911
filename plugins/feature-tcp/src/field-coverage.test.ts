import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fieldCoverage } from '@attache/testkit';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { TcpMappingSpec } from './schema.js';

/** Fields no golden can meaningfully set, each with the reason; the test fails when one gains a golden. */
const goldenAllowList: Record<string, string> = {
  v2ExplicitTLS: 'Emissary v2 round-trip data: accepted and ignored, so no output could show it',
};

describe('every TCPMapping field', () => {
  const coverage = fieldCoverage({
    kind: 'TCPMapping',
    schema: TcpMappingSpec,
    page: readFileSync(
      fileURLToPath(new URL('../../../docs/reference/tcpmapping.md', import.meta.url)),
      'utf8',
    ),
    testdata: fileURLToPath(new URL('./testdata', import.meta.url)),
    goldenAllowList,
  });

  it('walks the schema into lists', () => {
    expect(coverage.fields).toContain('circuit_breakers[].max_connections');
    expect(coverage.fields).toContain('idle_timeout_ms');
  });

  it('has a row in docs/reference/tcpmapping.md', () => {
    expect(coverage.undocumented).toEqual([]);
  });

  it('is set by a golden TCPMapping without errors', () => {
    expect(coverage.untested).toEqual([]);
    expect(coverage.staleAllowed).toEqual([]);
  });

  it('the page’s TCPMapping examples fit the schema', () => {
    expect(coverage.examples.length).toBeGreaterThan(3);
    for (const spec of coverage.examples) expect([...Value.Errors(TcpMappingSpec, spec)]).toEqual([]);
  });
});
