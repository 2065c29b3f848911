import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, createPipeline } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { ratelimitPlugin } from './index.js';

const testdata = (name: string) =>
  resourcesFromYaml(
    readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), 'utf8'),
    name,
  );

interface ListenerJson {
  filter_chains: Array<{ filters: Array<{ typed_config: { http_filters: Array<{ name: string }> } }> }>;
}

function httpFilterNames(result: ReturnType<typeof compile>): string[] {
  const listeners = (result.xds as unknown as Record<string, Array<{ resource: ListenerJson }>>)[
    'type.googleapis.com/envoy.config.listener.v3.Listener'
  ]!;
  return listeners.flatMap((l) =>
    l.resource.filter_chains.flatMap((fc) => fc.filters[0]!.typed_config.http_filters.map((f) => f.name)),
  );
}

describe('feature-ratelimit plugin', () => {
  it('loads beside http and envoy; its passes read the HTTP model only through core extension points', () => {
    const pipeline = createPipeline([httpPlugin, ratelimitPlugin, envoyPlugin]);
    const ids = pipeline.passes.map((p) => p.id);
    expect(ids).toContain('feature-ratelimit.attach');
    const lastHttpBuild = Math.max(...ids.flatMap((id, i) => (id.startsWith('http.build') ? [i] : [])));
    expect(ids.indexOf('feature-ratelimit.attach')).toBeGreaterThan(lastHttpBuild);
    expect(ids.indexOf('feature-ratelimit.ingest-services')).toBeLessThan(
      ids.indexOf('http.resolve-service-requests'),
    );
  });

  it('a distribution without it still compiles, and names the plugin for every field it would implement', () => {
    for (const file of ['global-v3alpha1.in.yaml', 'local.in.yaml']) {
      const without = compile(testdata(file), [httpPlugin, envoyPlugin], {});
      expect(httpFilterNames(without).filter((n) => n.includes('ratelimit'))).toEqual([]);
      const needs = without.diagnostics.filter((d) => d.code === 'FIELD_NEEDS_PLUGIN');
      expect(needs.length).toBeGreaterThan(0);
      for (const d of needs) expect(d.message).toContain('feature-ratelimit');
      const withIt = compile(testdata(file), [httpPlugin, ratelimitPlugin, envoyPlugin], {});
      expect(withIt.diagnostics.filter((d) => d.code === 'FIELD_NEEDS_PLUGIN')).toEqual([]);
      expect(httpFilterNames(withIt).some((n) => n.includes('ratelimit'))).toBe(true);
    }
    const paths = compile(testdata('global-v3alpha1.in.yaml'), [httpPlugin, envoyPlugin], {})
      .diagnostics.filter((d) => d.code === 'FIELD_NEEDS_PLUGIN')
      .map((d) => d.path)
      .sort();
    expect(paths).toEqual([
      '/spec/config/default_label_domain',
      '/spec/config/default_labels',
      '/spec/labels',
    ]);
    // The RateLimitService itself is named as needing the plugin, not an unknown kind.
    const kinds = compile(
      testdata('global-v3alpha1.in.yaml'),
      [httpPlugin, envoyPlugin],
      {},
    ).diagnostics.filter((d) => d.resource?.kind === 'RateLimitService');
    expect(kinds.map((d) => [d.code, d.path])).toEqual([['KIND_NEEDS_PLUGIN', '/kind']]);
    expect(kinds[0]!.message).toContain('feature-ratelimit');
  });

  it('every output passes strict validation (no ENVOY_REJECTED) on every golden input', () => {
    for (const file of [
      'global-v3alpha1.in.yaml',
      'labels-v2.in.yaml',
      'local.in.yaml',
      'bad-input.in.yaml',
      'no-service.in.yaml',
    ]) {
      const result = compile(testdata(file), [httpPlugin, ratelimitPlugin, envoyPlugin], {});
      expect(
        result.diagnostics.filter((d) => d.code === 'ENVOY_REJECTED' || d.code === 'PASS_FAILED'),
        file,
      ).toEqual([]);
    }
  });

  it('ambassador_id: a RateLimitService of another instance is ignored', () => {
    const text = `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}, ambassador_id: [default, blue]}
---
apiVersion: getambassador.io/v3alpha1
kind: RateLimitService
metadata: {name: rl, namespace: default}
spec: {service: "rl:8081", protocol_version: v3, domain: edge, ambassador_id: [blue]}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: api, namespace: default}
spec: {ambassador_id: [default, blue], hostname: "*", prefix: /api/, service: api, labels: {edge: [{g: [{generic_key: {value: v}}]}]}}
`;
    const plugins = [httpPlugin, ratelimitPlugin, envoyPlugin];
    const other = compile(resourcesFromYaml(text, 'x.yaml'), plugins, {});
    expect(httpFilterNames(other)).not.toContain('envoy.filters.http.ratelimit');
    expect(other.diagnostics.map((d) => d.code)).toContain('RATELIMIT_LABELS_WITHOUT_SERVICE');
    const blue = compile(resourcesFromYaml(text, 'x.yaml'), plugins, { ambassadorId: 'blue' });
    expect(httpFilterNames(blue)).toContain('envoy.filters.http.ratelimit');
  });
});
