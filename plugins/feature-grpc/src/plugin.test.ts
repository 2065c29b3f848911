import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, type Plugin } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { grpcPlugin } from './index.js';

const withGrpc: Plugin[] = [httpPlugin, grpcPlugin, envoyPlugin];
const withoutGrpc: Plugin[] = [httpPlugin, envoyPlugin];

const base = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: edge, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: greeter, namespace: default}
spec:
  hostname: "*"
  prefix: /helloworld.Greeter/
  rewrite: /helloworld.Greeter/
  grpc: true
  service: greeter:50051
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: greeter-rest, namespace: default}
spec:
  hostname: "*"
  prefix: /rest/
  service: greeter:50051
`;

type Json = Record<string, unknown>;

function clusters(plugins: Plugin[], yaml = base): Json[] {
  const result = compile(resourcesFromYaml(yaml, 'in.yaml'), plugins);
  return result.xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'].map((c) => c.resource as Json);
}

const http2 = (c: Json) => JSON.stringify(c).includes('http2_protocol_options');

describe('feature-grpc in and out of a distribution', () => {
  it('with the plugin: a grpc Mapping gets its own HTTP/2 cluster beside the HTTP/1.1 one to the same service', () => {
    const list = clusters(withGrpc);
    expect(list).toHaveLength(2);
    expect(list.filter(http2)).toHaveLength(1);
  });

  it('without it: FIELD_NEEDS_PLUGIN names feature-grpc, grpc is ignored, and the rest compiles', () => {
    const result = compile(resourcesFromYaml(base, 'in.yaml'), withoutGrpc);
    const needs = result.diagnostics.filter((d) => d.code === 'FIELD_NEEDS_PLUGIN');
    expect(needs.map((d) => [d.resource?.name, d.path])).toEqual([['greeter', '/spec/grpc']]);
    expect(needs[0]!.message).toContain('feature-grpc');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const list = result.xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'].map(
      (c) => c.resource as Json,
    );
    expect(list.filter(http2)).toEqual([]);
    expect(result.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration']).toHaveLength(1);
  });

  it('without it: the Module gRPC keys and Attaché gRPC Mapping fields are named too, not dropped silently', () => {
    const yaml = `${base}---
apiVersion: getambassador.io/v3alpha1
kind: Module
metadata: {name: ambassador, namespace: default}
spec:
  config: {enable_grpc_web: true, enable_grpc_http11_bridge: true, grpc_stats: {all_methods: true}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: timed, namespace: default}
spec:
  hostname: "*"
  prefix: /t.T/
  service: t:50051
  grpc_timeout: {header_max_ms: 0}
  grpc_match: {service: t.T}
  retry_policy: {grpc_retry_on: [unavailable]}
`;
    const result = compile(resourcesFromYaml(yaml, 'in.yaml'), withoutGrpc);
    expect(
      result.diagnostics
        .filter((d) => d.code === 'FIELD_NEEDS_PLUGIN')
        .map((d) => `${d.resource?.name} ${d.path}`)
        .sort(),
    ).toEqual([
      'ambassador /spec/config/enable_grpc_http11_bridge',
      'ambassador /spec/config/enable_grpc_web',
      'ambassador /spec/config/grpc_stats',
      'greeter /spec/grpc',
      'timed /spec/grpc_match',
      'timed /spec/grpc_timeout',
      'timed /spec/retry_policy/grpc_retry_on',
    ]);
    expect(result.diagnostics.filter((d) => d.code === 'HTTP_FIELD_UNKNOWN')).toEqual([]);
    const text = JSON.stringify(result.xds);
    expect(text).not.toContain('grpc_web');
    expect(text).not.toContain('max_stream_duration');
  });

  it('every http plugin golden compiles the same with feature-grpc, except those that set gRPC fields (which gain what they ask for)', () => {
    const dir = fileURLToPath(new URL('../../http/src/testdata', import.meta.url));
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.in.yaml'))
      .sort();
    expect(files.length).toBeGreaterThan(50);
    const differing: string[] = [];
    for (const file of files) {
      const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
      const a = compile(resources, withoutGrpc);
      const b = compile(resources, withGrpc);
      const needsGrpc = a.diagnostics.some(
        (d) => d.code === 'FIELD_NEEDS_PLUGIN' && d.message.includes('feature-grpc'),
      );
      const same = JSON.stringify(a.xds) === JSON.stringify(b.xds);
      if (same === needsGrpc)
        differing.push(`${file}: ${same ? 'unchanged although it sets gRPC fields' : 'changed'}`);
      expect(
        b.diagnostics.filter((d) => d.code === 'FIELD_NEEDS_PLUGIN' && d.message.includes('feature-grpc')),
      ).toEqual([]);
    }
    expect(differing).toEqual([]);
  });
});
