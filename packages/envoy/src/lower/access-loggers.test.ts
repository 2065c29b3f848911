import { addAccessLogger, type IR, replaceHttpConnectionManagers, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { compileIR, readIR } from '../testing/golden.js';
import { validateResource } from '../validate.js';

const logService = {
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'LogService',
  namespace: 'default',
  name: 'als',
};
const tracingService = { ...logService, kind: 'TracingService', name: 'tracing' };

function common(logName: string) {
  return {
    log_name: logName,
    transport_api_version: 'V3',
    grpc_service: { envoy_grpc: { cluster_name: 'cluster_logging' } },
  };
}

/** The full IR (HTTP chains and a tcp_proxy chain), with one logger for each kind of chain and tracing. */
function irWithObservability(logName = 'logservice'): IR {
  const ir = readIR('full-ir.in.yaml');
  addAccessLogger(ir, 'logservice/default/als/http', {
    on: 'http',
    name: 'envoy.access_loggers.http_grpc',
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig',
      common_config: common(logName),
      additional_request_headers_to_log: ['x-request-id'],
    },
    provenance: [logService],
  });
  addAccessLogger(ir, 'logservice/default/als/tcp', {
    on: 'tcp',
    name: 'envoy.access_loggers.tcp_grpc',
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig',
      common_config: common(logName),
    },
    provenance: [logService],
  });
  replaceHttpConnectionManagers(ir, (hcm) => ({
    ...hcm,
    startChildSpan: true,
    tracing: {
      config: {
        random_sampling: { value: 10 },
        provider: {
          name: 'envoy.tracers.zipkin',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
            collector_cluster: 'cluster_tracing',
            collector_endpoint: '/api/v2/spans',
            collector_endpoint_version: 'HTTP_JSON',
          },
        },
      },
      provenance: [tracingService],
    },
  }));
  return ir;
}

// biome-ignore lint/suspicious/noExplicitAny: a view over Envoy JSON of many shapes, read field by field
type Json = Record<string, any>;

function networkFilters(result: ReturnType<typeof compileIR>): Json[] {
  return result.xds[TypeUrl.Listener].flatMap((l) => {
    const listener = l.resource as Json;
    const chains = [
      ...(listener.filter_chains ?? []),
      ...(listener.default_filter_chain ? [listener.default_filter_chain] : []),
    ];
    return chains.flatMap((c: Json) => c.filters as Json[]);
  });
}

describe('IR.accessLoggers and HCM tracing lowering', () => {
  it('puts the http logger first in every connection manager, the tcp logger in every tcp_proxy, and tracing on every HCM', () => {
    const result = compileIR(irWithObservability());
    expect(result.diagnostics).toEqual([]);
    const filters = networkFilters(result);
    const hcms = filters.filter((f) => f.name === 'envoy.filters.network.http_connection_manager');
    const tcp = filters.filter((f) => f.name === 'envoy.filters.network.tcp_proxy');
    expect(hcms.length).toBeGreaterThan(0);
    expect(tcp.length).toBeGreaterThan(0);
    for (const hcm of hcms) {
      const logs = hcm.typed_config.access_log as Json[];
      expect(logs[0]!.name).toBe('envoy.access_loggers.http_grpc');
      expect(logs.filter((l) => l.name.endsWith('_grpc')).map((l) => l.name)).toEqual([
        'envoy.access_loggers.http_grpc',
      ]);
      expect(hcm.typed_config.tracing.provider.name).toBe('envoy.tracers.zipkin');
      const router = (hcm.typed_config.http_filters as Json[]).at(-1)!;
      expect(router.typed_config.start_child_span).toBe(true);
    }
    for (const proxy of tcp) {
      expect((proxy.typed_config.access_log as Json[]).map((l) => l.name)).toEqual([
        'envoy.access_loggers.tcp_grpc',
      ]);
    }
    for (const resource of Object.values(result.xds).flat()) {
      expect(validateResource(resource.resource), `${resource.typeUrl} ${resource.name}`).toEqual([]);
    }
  });

  it('without loggers or tracing nothing changes', () => {
    const plain = compileIR(readIR('full-ir.in.yaml'));
    const filters = networkFilters(plain);
    expect(filters.some((f) => /access_loggers\.(http|tcp)_grpc/.test(JSON.stringify(f)))).toBe(false);
    expect(filters.some((f) => f.typed_config.tracing !== undefined)).toBe(false);
  });

  it('a logger Envoy would refuse blames the LogService on the chains that carry it', () => {
    const result = compileIR(irWithObservability(''));
    const rejected = result.diagnostics.filter((d) => d.code === 'ENVOY_REJECTED');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.some((d) => d.resource?.kind === 'LogService')).toBe(true);
  });
});
