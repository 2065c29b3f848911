import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fieldCoverage } from '@attache/testkit';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { TracingServiceSpec } from './tracingservice.js';

/** Fields no golden can meaningfully set, each with the reason; the test fails when one gains a golden. */
const goldenAllowList: Record<string, string> = {
  v2ExplicitTLS: 'Emissary v2 round-trip data: accepted and ignored, so no output could show it',
};

describe('every TracingService field', () => {
  const coverage = fieldCoverage({
    kind: 'TracingService',
    schema: TracingServiceSpec,
    page: readFileSync(
      fileURLToPath(new URL('../../../docs/reference/tracingservice.md', import.meta.url)),
      'utf8',
    ),
    testdata: fileURLToPath(new URL('./testdata', import.meta.url)),
    goldenAllowList,
  });

  it('walks the schema into lists', () => {
    expect(coverage.fields).toContain('custom_tags[].request_header.default_value');
  });

  it('has a row in docs/reference/tracingservice.md', () => {
    expect(coverage.undocumented).toEqual([]);
  });

  it('is set by a golden TracingService without errors', () => {
    expect(coverage.untested).toEqual([]);
    expect(coverage.staleAllowed).toEqual([]);
  });

  it('the page’s TracingService examples fit the schema', () => {
    expect(coverage.examples.length).toBeGreaterThan(0);
    for (const spec of coverage.examples) expect([...Value.Errors(TracingServiceSpec, spec)]).toEqual([]);
  });
});
