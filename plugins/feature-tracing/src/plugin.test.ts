import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { extensionNamesIn, resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { tracingPlugin } from './index.js';

const yaml = `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: edge-http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: TracingService
metadata: {name: tracing, namespace: default}
spec: {service: zipkin.observability:9411, driver: zipkin}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: web, namespace: default}
spec: {hostname: "*", prefix: /, service: web}
`;
const resources: StoredResource[] = resourcesFromYaml(yaml, 'tracing.yaml');

const tracers = (result: ReturnType<typeof compile>) => extensionNamesIn(result, 'envoy.tracers');

describe('feature-tracing in and out of the distribution', () => {
  it('with it, every connection manager traces to the collector', () => {
    const result = compile(resources, [httpPlugin, tracingPlugin, envoyPlugin]);
    expect(tracers(result)).toContain('envoy.tracers.zipkin');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('without it, the distribution compiles and the TracingService gets KIND_NEEDS_PLUGIN naming feature-tracing', () => {
    const result = compile(resources, [httpPlugin, envoyPlugin]);
    const needs = result.diagnostics.filter((d) => d.code === 'KIND_NEEDS_PLUGIN');
    expect(needs.map((d) => [d.resource?.kind, d.resource?.name])).toEqual([['TracingService', 'tracing']]);
    expect(needs[0]!.message).toContain('feature-tracing');
    expect(tracers(result)).toEqual([]);
    expect(result.xds['type.googleapis.com/envoy.config.listener.v3.Listener'].length).toBeGreaterThan(0);
  });

  it('without the http plugin nothing resolves its collector: TRACING_NO_CLUSTER, no tracing', () => {
    const result = compile(resources, [tracingPlugin, envoyPlugin]);
    expect(result.diagnostics.map((d) => d.code)).toContain('TRACING_NO_CLUSTER');
    expect(tracers(result)).toEqual([]);
  });
});
