import type { CompileResult, StoredResource } from '@attache/core';
import { tcpPlugin } from '@attache/plugin-feature-tcp';
import { type FeatureBench, runFeatureBench } from './feature-bench.js';

const usage = `usage: node tools/bench/dist/index.js tcp [--mappings N] [--hosts N] [--runs N] [--json]

What the feature-tcp plugin adds to a compile: the compile benchmark's input (default
10 TLS Hosts, 10,000 Mappings) compiled with http + envoy, then the same input with
1,000 TCPMappings compiled with http + feature-tcp + envoy: 600 on TCP-only ports of
their own, 100 weighted pairs (30 / the rest) on 100 more ports, 100 SNI names on the
HTTPS Listener terminated by a TLSContext that lists them and 100 passed through. Runs
alternate (base, feature, base, …) in one process after a warm-up of each; reports
medians of wall and CPU time, the added cost, the feature-tcp passes' own CPU time and
how much every other pass changed.`;

const tcpMapping = (name: string, spec: Record<string, unknown>): StoredResource['resource'] => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'TCPMapping',
  metadata: { name, namespace: `tcp-${name.length % 4}` },
  spec,
});

/** The compile benchmark's input plus 1,000 TCPMappings and a TLSContext terminating half of the SNI ones. */
export function withTcpMappings(resources: readonly StoredResource[]): StoredResource[] {
  const origin = { source: 'bench', file: 'generated/tcp.yaml', line: 1 };
  const added: StoredResource['resource'][] = [];
  for (let i = 0; i < 600; i++)
    added.push(
      tcpMapping(`plain-${i}`, { port: 20000 + i, service: `db-${i}.data:5432`, idle_timeout_ms: 600000 }),
    );
  for (let i = 0; i < 100; i++) {
    added.push(tcpMapping(`blue-${i}`, { port: 21000 + i, service: `game-${i}-blue.play:7000`, weight: 30 }));
    added.push(tcpMapping(`green-${i}`, { port: 21000 + i, service: `game-${i}-green.play:7000` }));
  }
  const terminated: string[] = [];
  for (let i = 0; i < 200; i++) {
    const host = `tcp-${i}.example.com`;
    if (i % 2 === 0) terminated.push(host);
    added.push(tcpMapping(`sni-${i}`, { port: 8443, host, service: `tls-backend-${i}.data:443` }));
  }
  added.push({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'TLSContext',
    metadata: { name: 'tcp-termination', namespace: 'edge' },
    // The bench input's first Host Secret serves as the certificate.
    spec: { hosts: terminated, secret: 'h0-tls' },
  });
  return [...resources, ...added.map((resource) => ({ resource, origin }))];
}

/** tcp_proxy filter chains across all listeners. */
function tcpChains(result: CompileResult): number {
  let count = 0;
  for (const l of result.xds['type.googleapis.com/envoy.config.listener.v3.Listener']) {
    const chains = (l.resource as { filter_chains?: Array<{ filters?: Array<{ name?: string }> }> })
      .filter_chains;
    for (const chain of chains ?? [])
      if (chain.filters?.some((f) => f.name === 'envoy.filters.network.tcp_proxy')) count++;
  }
  return count;
}

export const tcpBench: FeatureBench = {
  name: 'tcp',
  usage,
  plugin: tcpPlugin,
  withFeature: withTcpMappings,
  describeInput: 'with 1,000 TCPMappings (+ a TLSContext for 100 SNI names)',
  baseLabel: 'no TCPMappings',
  check: (result) => ({
    tcpChains: tcpChains(result),
    listeners: result.xds['type.googleapis.com/envoy.config.listener.v3.Listener'].length,
  }),
  checkLine: (c) => `tcp_proxy chains: ${c.tcpChains}, listeners: ${c.listeners}`,
};

export const runTcpBench = (argv: string[]): Promise<void> => runFeatureBench(tcpBench, argv);
