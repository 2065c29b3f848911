import { describe, expect, it } from 'vitest';
import { rateLimitFilterConfig, readRateLimitService } from './service.js';

const ref = (apiVersion = 'getambassador.io/v3alpha1') => ({
  apiVersion,
  kind: 'RateLimitService',
  namespace: 'default',
  name: 'rl',
});

describe('RateLimitService', () => {
  it('every field reaches the config; the filter is written as Emissary writes it', () => {
    const { config, problems } = readRateLimitService(ref(), {
      service: 'ratelimit.infra:8081',
      protocol_version: 'v3',
      domain: 'edge',
      timeout_ms: 150,
      failure_mode_deny: true,
      tls: 'rl-tls',
      stats_name: 'rls',
      grpc: { use_resource_exhausted_code: true },
      ambassador_id: ['default'],
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      service: 'ratelimit.infra:8081',
      domain: 'edge',
      timeoutMs: 150,
      failureModeDeny: true,
      tls: 'rl-tls',
      statsName: 'rls',
      resourceExhausted: true,
    });
    expect(rateLimitFilterConfig(config!, 'edge', 'cluster_ratelimit_infra_8081_default')).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
      domain: 'edge',
      timeout: '0.150s',
      request_type: 'both',
      failure_mode_deny: true,
      rate_limited_as_resource_exhausted: true,
      rate_limit_service: {
        grpc_service: { envoy_grpc: { cluster_name: 'cluster_ratelimit_infra_8081_default' } },
        transport_api_version: 'V3',
      },
    });
  });

  it('defaults: 20 ms, failure mode allow, domain left to the Module', () => {
    const { config } = readRateLimitService(ref(), { service: 'rl:8081', protocol_version: 'v3' });
    expect(config).toMatchObject({ timeoutMs: 20, failureModeDeny: false, resourceExhausted: false });
    expect(config!.domain).toBeUndefined();
  });

  it('v2 spellings (v3StatsName, v3GRPC) convert', () => {
    const { config, problems } = readRateLimitService(ref('getambassador.io/v2'), {
      service: 'rl:8081',
      protocol_version: 'v3',
      v3StatsName: 's',
      v3GRPC: { use_resource_exhausted_code: true },
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ statsName: 's', resourceExhausted: true });
  });

  it('bad input: coded problems, no config', () => {
    const problem = (spec: unknown) =>
      readRateLimitService(ref(), spec).problems.map((p) => [p.code, p.path]);
    expect(problem({ protocol_version: 'v3', domain: 'x' })).toEqual([
      ['RATELIMIT_SERVICE_MISSING', '/spec/service'],
    ]);
    expect(problem({ service: 'rl' })).toEqual([
      ['RATELIMIT_PROTOCOL_UNSUPPORTED', '/spec/protocol_version'],
    ]);
    expect(problem({ service: 'rl', protocol_version: 'v2' })).toEqual([
      ['RATELIMIT_PROTOCOL_UNSUPPORTED', '/spec/protocol_version'],
    ]);
    expect(problem({ service: 'rl', protocol_version: 'v3', timeout_ms: '1s' })).toEqual([
      ['RATELIMIT_SCHEMA_INVALID', '/spec/timeout_ms'],
    ]);
    expect(problem({ service: 'rl', protocol_version: 'v3', domain: '' })).toEqual([
      ['RATELIMIT_SCHEMA_INVALID', '/spec/domain'],
    ]);
    expect(problem({ service: 42, protocol_version: 'v3' })).toEqual([
      ['RATELIMIT_SCHEMA_INVALID', '/spec/service'],
    ]);
    expect(problem('x')).toEqual([['RATELIMIT_SCHEMA_INVALID', '/spec']]);
    const typo = readRateLimitService(ref(), {
      service: 'rl',
      protocol_version: 'v3',
      failure_mode_denied: true,
    });
    expect(typo.config).toBeDefined();
    expect(typo.problems.map((p) => [p.code, p.path])).toEqual([
      ['RATELIMIT_FIELD_UNKNOWN', '/spec/failure_mode_denied'],
    ]);
  });
});
