import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompileResult, emptyIR, emptyXdsResources, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { discoverCases } from './cases.js';
import { readKnownDifferences } from './known-differences.js';
import { runCase } from './run-case.js';

const listener = (cluster: string, rewrite: string) => ({
  name: 'edge',
  address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
  filter_chains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            use_remote_address: true,
            route_config: {
              virtual_hosts: [
                {
                  name: 'v',
                  domains: ['a.example.com'],
                  routes: [{ match: { prefix: '/a/' }, route: { cluster, prefix_rewrite: rewrite } }],
                },
              ],
            },
          },
        },
      ],
    },
  ],
});

const cluster = (name: string) => ({
  name,
  type: 'STRICT_DNS',
  load_assignment: {
    endpoints: [
      { lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'svc-a', port_value: 80 } } } }] },
    ],
  },
});

/** A shared/ folder with one oracle case, one Emissary listener golden and one hostsem pair. */
function sharedFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'conformance-'));
  const oracle = join(root, 'conformance/oracle/01-simple');
  mkdirSync(oracle, { recursive: true });
  writeFileSync(
    join(oracle, 'input.yaml'),
    'apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: { name: a, namespace: default }\nspec: { prefix: /a/, service: svc-a }\n',
  );
  writeFileSync(
    join(oracle, 'expected.json'),
    JSON.stringify({
      static_resources: {
        listeners: [listener('cluster_svc_a_default', '/')],
        clusters: [cluster('cluster_svc_a_default')],
      },
    }),
  );
  const listeners = join(root, 'conformance/emissary/python/tests/src/tests/unit/testdata/listeners');
  mkdirSync(listeners, { recursive: true });
  writeFileSync(
    join(listeners, 'one_in.yaml'),
    'apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: { name: a, namespace: default }\nspec: { prefix: /a/, service: svc-a }\n',
  );
  writeFileSync(join(listeners, 'one_out.yaml'), 'listeners: []\n');
  mkdirSync(join(root, 'conformance/emissary/test/e2e/fixtures'), { recursive: true });
  return root;
}

/** A stand-in compiler that returns one Listener (inline routes) and one Cluster. */
function fakeCompiler(clusterName: string, rewrite: string) {
  return (): CompileResult => {
    const xds = emptyXdsResources();
    const mapping = {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      namespace: 'default',
      name: 'a',
    };
    xds[TypeUrl.Listener].push({
      typeUrl: TypeUrl.Listener,
      name: 'edge',
      version: '1',
      provenance: [],
      resource: listener(clusterName, rewrite),
    });
    xds[TypeUrl.Cluster].push({
      typeUrl: TypeUrl.Cluster,
      name: clusterName,
      version: '1',
      provenance: [mapping],
      resource: cluster(clusterName),
    });
    return { ir: emptyIR(), diagnostics: [], schedule: [], xds };
  };
}

describe('runCase', () => {
  const cases = discoverCases(sharedFixture());

  it('discovers oracle cases, Emissary listener goldens and not-applicable folders', () => {
    expect(cases.map((c) => `${c.id} ${c.kind}`)).toEqual([
      '01-simple envoy',
      'emissary/listeners/one envoy',
      'emissary/e2e not-applicable',
    ]);
  });

  it('passes a case whose output behaves the same under other names, and fails one that rewrites differently', () => {
    const simple = cases[0]!;
    expect(runCase(simple, fakeCompiler('svc-a-80', '/'))).toMatchObject({ status: 'pass' });
    const failed = runCase(simple, fakeCompiler('svc-a-80', '/v2/'));
    expect(failed.status).toBe('fail');
    expect(failed.detail).toContain('route › prefix_rewrite: expected /, got /v2/');
  });

  it('fails every case when the compiler cannot be loaded, and marks not-applicable ones', () => {
    expect(runCase(cases[0]!, new Error('no plugin'))).toEqual({
      id: '01-simple',
      status: 'fail',
      detail: 'Attaché compiler unavailable: no plugin',
    });
    expect(runCase(cases[2]!, new Error('no plugin')).status).toBe('n/a');
  });
});

describe('readKnownDifferences', () => {
  it('needs case, reason and docs for each entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'known-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      'differences:\n  - case: 58-err-bad-regex\n    reason: we reject bad regexes\n    docs: docs/compat.md#regexes\n',
    );
    expect(readKnownDifferences(good)).toEqual([
      { case: '58-err-bad-regex', reason: 'we reject bad regexes', docs: 'docs/compat.md#regexes' },
    ]);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'differences:\n  - case: 58-err-bad-regex\n');
    expect(() => readKnownDifferences(bad)).toThrow('differences[0] needs case, reason and docs');
  });
});
