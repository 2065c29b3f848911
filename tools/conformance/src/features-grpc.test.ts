import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverGrpcCases, runGrpcCase } from './features-grpc.js';

const shared = fileURLToPath(new URL('../../../../shared', import.meta.url));
const present = existsSync(`${shared}/conformance/features`);

describe.skipIf(!present)('gRPC conformance parts (features cases)', () => {
  const cases = discoverGrpcCases(shared);

  it('finds the gRPC cases', () => {
    expect(cases.map((c) => c.id)).toEqual(['features/93-grpc-web-stats', 'features/94-grpc-bridge-health']);
  });

  for (const c of cases) {
    it(`${c.id}: filter order, gRPC filter configs, route clusters and routing match Emissary's`, () => {
      const result = runGrpcCase(c);
      expect(result.status, result.detail).toBe('pass');
      expect(new Set(result.parts.map((p) => p.part))).toEqual(
        new Set(['filter order', 'filter config', 'cluster']),
      );
      expect(result.parts.filter((p) => !p.ok && !p.deliberate)).toEqual([]);
    });
  }

  it('the one deliberate difference is the grpc_stats service Envoy would refuse', () => {
    const result = runGrpcCase(cases.find((c) => c.id.includes('94'))!);
    expect(result.parts.filter((p) => p.deliberate).map((p) => `${p.part} ${p.key}`)).toEqual([
      'filter config envoy.filters.http.grpc_stats',
    ]);
  });

  it('a wrong plugin set is caught: without feature-grpc the filters and the HTTP/2 clusters differ', async () => {
    const { httpPlugin } = await import('@attache/plugin-http');
    const { envoyPlugin } = await import('@attache/envoy');
    for (const c of cases) {
      const result = runGrpcCase(c, [httpPlugin, envoyPlugin]);
      const failing = new Set(result.parts.filter((p) => !p.ok).map((p) => p.part));
      expect(failing).toEqual(new Set(['filter order', 'filter config', 'cluster']));
    }
  });
});
