import { parseConfig } from '@attache/runtime';
import { describe, expect, it } from 'vitest';
import { applyServeFlags, parseHostPort } from './serve-config.js';

const base = parseConfig({
  sources: { file: { paths: ['../../examples/quickstart'], watch: true } },
  sinks: { ads: { address: '127.0.0.1:18000' }, file: { path: 'envoy.json', mode: 'ads' } },
});

describe('applyServeFlags', () => {
  it('changes nothing without flags', () => {
    expect(applyServeFlags(base, { watch: [], kubernetes: false }, '/work')).toEqual(base);
  });

  it('lets flags override the file, resolving their paths against the working directory', () => {
    const config = applyServeFlags(
      base,
      {
        watch: ['mine', '/abs/theirs'],
        ads: '0.0.0.0:19000',
        admin: '127.0.0.1:9999',
        bootstrap: 'out/bootstrap.json',
        kubernetes: true,
        namespace: 'edge',
        logLevel: 'debug',
      },
      '/work',
    );
    expect(config.sources.file).toEqual({ paths: ['/work/mine', '/abs/theirs'], watch: true });
    expect(config.sinks.ads).toEqual({ address: '0.0.0.0:19000' });
    expect(config.sinks.file).toEqual({
      path: '/work/out/bootstrap.json',
      mode: 'ads',
      ads: { host: '0.0.0.0', port: 19000 },
    });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9999, enabled: true });
    expect(config.sources.kubernetes).toEqual({ namespace: 'edge' });
    expect(config.log.level).toBe('debug');
    expect(base.sources.file).toEqual({ paths: ['../../examples/quickstart'], watch: true });
  });

  it('points a --bootstrap file at the configured ADS address', () => {
    const noFileSink = parseConfig({ sources: {}, sinks: { ads: { address: '10.0.0.1:18001' } } });
    const config = applyServeFlags(noFileSink, { watch: [], kubernetes: false, bootstrap: 'b.json' }, '/w');
    expect(config.sinks.file).toEqual({
      mode: 'ads',
      path: '/w/b.json',
      ads: { host: '10.0.0.1', port: 18001 },
    });
  });
});

describe('parseHostPort', () => {
  it('reads HOST:PORT, including bracketed IPv6, and refuses anything else', () => {
    expect(parseHostPort('127.0.0.1:18000', '--ads')).toEqual({ host: '127.0.0.1', port: 18000 });
    expect(parseHostPort('[::1]:80', '--ads')).toEqual({ host: '::1', port: 80 });
    expect(
      applyServeFlags(base, { watch: [], kubernetes: false, ads: '[::1]:18000' }, '/').sinks.ads,
    ).toEqual({
      address: '[::1]:18000',
    });
    expect(() => parseHostPort('18000', '--ads')).toThrow(/--ads takes HOST:PORT/);
    expect(() => parseHostPort('h:70000', '--admin')).toThrow(/--admin takes HOST:PORT/);
  });
});
