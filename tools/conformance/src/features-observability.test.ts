import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverObservabilityCases, runObservabilityCase } from './features-observability.js';

const shared = fileURLToPath(new URL('../../../../shared', import.meta.url));
const present = existsSync(`${shared}/conformance/features`);

describe.skipIf(!present)(
  'LogService / TracingService / Module access log conformance parts (features cases)',
  () => {
    const cases = discoverObservabilityCases(shared);

    it('finds the observability cases', () => {
      expect(cases.map((c) => c.id)).toEqual([
        'features/101-module-json-log',
        'features/102-module-text-log',
        'features/96-logservice-http',
        'features/97-logservice-tcp',
        'features/99-tracing-zipkin',
      ]);
    });

    for (const c of cases) {
      it(`${c.id}: access logs, tracing, clusters and routing probes match Emissary's`, () => {
        const result = runObservabilityCase(c);
        expect(result.checks.map((k) => k.part)).toEqual(['access_log', 'tracing', 'clusters', 'routing']);
        expect(result.checks.filter((k) => !k.ok)).toEqual([]);
      });
    }

    it('a wrong plugin set is caught: without feature-logging and feature-tracing their parts differ', async () => {
      const { httpPlugin } = await import('@attache/plugin-http');
      const { envoyPlugin } = await import('@attache/envoy');
      const failing = (id: string) =>
        runObservabilityCase(cases.find((c) => c.id === id)!, [httpPlugin, envoyPlugin])
          .checks.filter((k) => !k.ok)
          .map((k) => k.part);
      expect(failing('features/96-logservice-http')).toEqual(['access_log', 'clusters']);
      expect(failing('features/99-tracing-zipkin')).toEqual(['tracing', 'clusters']);
    });
  },
);
