import { fileURLToPath } from 'node:url';
import { envoyMissingMessage, findEnvoyBinary } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { loadAttacheCompiler } from '../compile-attache.js';
import { envoyCases } from './envoy-cases.js';
import { standInCertificate } from './placeholder-secrets.js';
import { runCaseOnEnvoy } from './run-on-envoy.js';

const binary = findEnvoyBinary();
if (!binary) process.stderr.write(envoyMissingMessage('conformance on real Envoy (run-on-envoy.test.ts)'));
const examples = fileURLToPath(new URL('../../../../examples', import.meta.url));

describe.skipIf(!binary)('a case on a real Envoy', () => {
  it('serves examples/quickstart over ADS: Envoy takes every update and answers every probe as explain says', async () => {
    const quickstart = envoyCases([], examples).find((c) => c.id === 'examples/quickstart');
    expect(quickstart).toBeDefined();
    const result = await runCaseOnEnvoy(quickstart!, await loadAttacheCompiler(), {
      binary: binary!,
      certificate: standInCertificate(),
    });
    expect(result.detail).toMatch(/^0 rejected/);
    expect(result).toMatchObject({
      status: 'pass',
      disagreements: [],
      rejected: { lds: 0, cds: 0, rds: 0, eds: 0, sds: 0 },
      // The quickstart's certificate is real: nothing is substituted.
      substituted: [],
    });
    expect(result.listeners).toBeGreaterThanOrEqual(2);
    expect(result.probes).toBeGreaterThan(100);
  }, 60_000);
});
