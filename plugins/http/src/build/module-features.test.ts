import { validateResource } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import type { AmbassadorModuleConfig } from '../schemas/module.js';
import { accessLog, emissaryTextLogFormat } from './module-access-log.js';
import { gzipFilter } from './module-gzip.js';
import { ipFilter, ipPolicy, parseCidr } from './module-ip-filter.js';
import { probeRoutes } from './module-probes.js';

const envoyIssues = (typedConfig: Record<string, unknown> | undefined) =>
  validateResource(typedConfig ?? {}).map((i) => i.path);

describe('parseCidr', () => {
  it('reads addresses and ranges as Emissary (Python ipaddress) does', () => {
    expect(parseCidr('127.0.0.1')).toEqual({ address_prefix: '127.0.0.1', prefix_len: 32 });
    expect(parseCidr('10.0.0.0/8')).toEqual({ address_prefix: '10.0.0.0', prefix_len: 8 });
    expect(parseCidr('2001:DB8:0::1')).toEqual({ address_prefix: '2001:db8::1', prefix_len: 128 });
    expect(parseCidr('::/0')).toEqual({ address_prefix: '::', prefix_len: 0 });
  });

  it('explains what is wrong with a bad one', () => {
    expect(parseCidr('10.0.0.0/33')).toMatch(/longer than 32/);
    expect(parseCidr('2001:db8::/129')).toMatch(/longer than 128/);
    expect(parseCidr('10.0.0.0/eight')).toMatch(/not a number/);
    expect(parseCidr('10.0.0.0/')).toMatch(/not a number/);
    expect(parseCidr('010.0.0.1')).toMatch(/not an IPv4 or IPv6 address/);
    expect(parseCidr('fe80::1%eth0')).toMatch(/not an IPv4 or IPv6 address/);
    expect(parseCidr('example.com')).toMatch(/not an IPv4 or IPv6 address/);
  });
});

describe('ip_allow / ip_deny', () => {
  it('reports each bad entry by index and field, and keeps the good ones', () => {
    const policy = ipPolicy({
      ip_deny: [{ remote: 'x' }, { peer: '10.0.0.1', remote: '10.0.0.2' }, { peer: '::1' }],
    });
    expect(policy?.problems.map((p) => [p.code, p.path])).toEqual([
      ['MODULE_IP_INVALID', '/spec/config/ip_deny/0/remote'],
      ['MODULE_IP_INVALID', '/spec/config/ip_deny/1'],
    ]);
    expect(policy?.principals).toEqual([{ direct_remote_ip: { address_prefix: '::1', prefix_len: 128 } }]);
  });

  it('builds RBAC configs Envoy accepts, and fails closed when no allow entry is valid', () => {
    const allow = ipFilter({ ip_allow: [{ peer: '127.0.0.1' }, { remote: '10.0.0.0/8' }] }, []);
    expect(envoyIssues(allow?.typedConfig)).toEqual([]);
    const none = ipFilter({ ip_allow: [{ peer: 'nope' }] }, []);
    expect(none?.typedConfig).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
      rules: { action: 'ALLOW' },
    });
    expect(envoyIssues(none?.typedConfig)).toEqual([]);
    expect(ipFilter({ ip_deny: [{ peer: 'nope' }] }, [])).toBeUndefined();
  });
});

describe('gzip', () => {
  it('translates the v2 names and gives Envoy a config it accepts', () => {
    const filter = gzipFilter({ gzip: { compression_level: 'SPEED', compression_strategy: 'HUFFMAN' } }, []);
    expect(filter?.typedConfig.compressor_library).toMatchObject({
      typed_config: { compression_level: 'BEST_SPEED', compression_strategy: 'HUFFMAN_ONLY' },
    });
    expect(envoyIssues(filter?.typedConfig)).toEqual([]);
    expect(gzipFilter({ gzip: { enabled: false } }, [])).toBeUndefined();
  });

  it('is checked by Envoy rules the schema also enforces (a bypassed schema cannot slip through)', () => {
    const config = { gzip: { window_bits: 20, memory_level: 0 } } as AmbassadorModuleConfig;
    expect(envoyIssues(gzipFilter(config, [])?.typedConfig).length).toBeGreaterThan(0);
  });
});

describe('access log and probes', () => {
  it("writes Emissary's default text line to stdout when nothing is set", () => {
    expect(accessLog({})).toEqual([{ path: '/dev/fd/1', format: `${emissaryTextLogFormat}\n` }]);
  });

  it('keeps the probes unless turned off; setting the key without enabled: true turns it off', () => {
    expect(probeRoutes({}, []).map((r) => r.name)).toEqual([
      'internal_liveness_probe_mapping',
      'internal_readiness_probe_mapping',
    ]);
    expect(probeRoutes({ liveness_probe: { prefix: '/alive' } }, []).map((r) => r.name)).toEqual([
      'internal_readiness_probe_mapping',
    ]);
  });
});
