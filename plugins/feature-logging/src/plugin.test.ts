import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { extensionNamesIn, resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { loggingPlugin } from './index.js';

const yaml = `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: edge-http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: LogService
metadata: {name: als, namespace: default}
spec: {service: als.logging:9001, driver: http, grpc: true, protocol_version: v3}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: web, namespace: default}
spec: {hostname: "*", prefix: /, service: web}
`;
const resources: StoredResource[] = resourcesFromYaml(yaml, 'logservice.yaml');

const accessLoggerNames = (result: ReturnType<typeof compile>) =>
  extensionNamesIn(result, 'envoy.access_loggers');

describe('feature-logging in and out of the distribution', () => {
  it('with it, the LogService becomes a gRPC access log', () => {
    const result = compile(resources, [httpPlugin, loggingPlugin, envoyPlugin]);
    expect(accessLoggerNames(result)).toContain('envoy.access_loggers.http_grpc');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('without it, the distribution compiles and the LogService gets KIND_NEEDS_PLUGIN naming feature-logging', () => {
    const result = compile(resources, [httpPlugin, envoyPlugin]);
    const needs = result.diagnostics.filter((d) => d.code === 'KIND_NEEDS_PLUGIN');
    expect(needs.map((d) => [d.resource?.kind, d.resource?.name])).toEqual([['LogService', 'als']]);
    expect(needs[0]!.message).toContain('feature-logging');
    expect(accessLoggerNames(result)).not.toContain('envoy.access_loggers.http_grpc');
    expect(result.xds['type.googleapis.com/envoy.config.listener.v3.Listener'].length).toBeGreaterThan(0);
  });

  it('without the http plugin nothing resolves its service: LOGSERVICE_NO_CLUSTER, no logger', () => {
    const result = compile(resources, [loggingPlugin, envoyPlugin]);
    expect(result.diagnostics.map((d) => d.code)).toContain('LOGSERVICE_NO_CLUSTER');
    expect(accessLoggerNames(result)).toEqual([]);
  });
});
