import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverTcpCases, runTcpCase } from './features-tcp.js';

const shared = fileURLToPath(new URL('../../../../shared', import.meta.url));
const present = existsSync(`${shared}/conformance/features`);

describe.skipIf(!present)('TCPMapping conformance parts (features cases)', () => {
  const cases = discoverTcpCases(shared);

  it('finds the TCP cases', () => {
    expect(cases.map((c) => c.id)).toEqual([
      'features/86-tcp-plain-port',
      'features/87-tcp-sni-tlscontext',
      'features/89-err-tcp-sni-passthrough',
      'features/90-tcp-weights',
    ]);
  });

  for (const c of cases) {
    it(`${c.id}: TCP listeners, tcp_proxy chains, clusters and routing probes match Emissary's`, () => {
      const result = runTcpCase(c);
      expect(result.checks.map((k) => k.part)).toEqual(['listeners', 'chains', 'clusters', 'routing']);
      expect(result.checks.filter((k) => !k.ok)).toEqual([]);
    });
  }

  it('a wrong plugin set is caught: without feature-tcp the TCP parts differ', async () => {
    const { httpPlugin } = await import('@attache/plugin-http');
    const { envoyPlugin } = await import('@attache/envoy');
    const result = runTcpCase(cases[0]!, [httpPlugin, envoyPlugin]);
    // Routing too: the probes see connections to the TCP ports go nowhere.
    expect(result.checks.filter((k) => !k.ok).map((k) => k.part)).toEqual([
      'listeners',
      'chains',
      'clusters',
      'routing',
    ]);
  });
});
