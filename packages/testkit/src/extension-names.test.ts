import type { CompileResult } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { extensionNamesIn } from './extension-names.js';

const xds = {
  'type.googleapis.com/envoy.config.listener.v3.Listener': [
    {
      name: 'l',
      resource: { tracing: { provider: { name: 'envoy.tracers.zipkin' } }, other: 'envoyXtracers.no' },
    },
  ],
  'type.googleapis.com/envoy.config.cluster.v3.Cluster': [
    { name: 'c', resource: { a: 'envoy.tracers.opentelemetry', b: 'envoy.access_loggers.file' } },
  ],
} as unknown as CompileResult['xds'];

describe('extensionNamesIn', () => {
  it('finds the extension names under a prefix in every resource, dots taken literally', () => {
    expect(extensionNamesIn({ xds }, 'envoy.tracers')).toEqual([
      'envoy.tracers.zipkin',
      'envoy.tracers.opentelemetry',
    ]);
    expect(extensionNamesIn({ xds }, 'envoy.access_loggers')).toEqual(['envoy.access_loggers.file']);
    expect(extensionNamesIn({ xds: {} as CompileResult['xds'] }, 'envoy.tracers')).toEqual([]);
  });
});
