import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { re2ProgramSize } from '@attache/envoy-facts';
import { envoyMissingMessage, findEnvoyBinary } from '@attache/testkit';
import { describe, expect, it } from 'vitest';

/**
 * Sizes Envoy 1.39.3 reported ("RE2 program size of N > max program size of 1") for regexes a
 * route really carries; the Envoy-backed test below asks Envoy again for each one.
 */
const measured: Array<[string, number]> = [
  ['/[a-z]{500}', 505],
  ['/[a-z]{100}', 105],
  ['/api/.*', 11],
  ['^/v[0-9]+/users/([0-9]+)$', 17],
  ['^/([^/]+)/([^/]+)$', 15],
  ['/static/.*\\.(js|css|png)$', 25],
  ['(?i)/api/.*', 11],
  ['^/v1/(?P<name>[a-z]+)', 8],
  ['[0-9a-fA-F]{32}', 68],
  ['/api/v1/users/[0-9]+/orders/[0-9]+/items', 36],
  ['(foo|bar|baz){10}', 94],
  ['x{3,60}', 121],
  ['[a-zA-Z0-9_]', 7],
  ['\\W', 9],
  ['^abc', 4],
  ['^a+', 4],
  ['(a|ab)(c|bcd)(d*)', 18],
  ['日本', 10], // six UTF-8 bytes, one instruction each: Envoy's RE2 reads patterns as Latin-1
  ['[à-ÿ]', 5],
  ['\\pL+', 12],
  ['(?s)a.*', 7], // RE2's AltMatch instruction for a trailing (?s).*
];

describe('re2ProgramSize: the program size Envoy compares with max_program_size', () => {
  it.each(measured)('%s is %i instructions, as Envoy measured', (pattern, size) => {
    expect(re2ProgramSize(pattern)).toBe(size);
  });

  it('is Infinity for an escape above U+00FF, which Envoy cannot compile at all', () => {
    expect(re2ProgramSize('a\\x{100}')).toBe(Number.POSITIVE_INFINITY);
  });

  it('is 1 when nothing can match in Latin-1 (RE2 keeps only its fail instruction)', () => {
    expect(re2ProgramSize('\\p{Greek}')).toBe(1);
  });

  it('is undefined for what RE2 does not parse', () => {
    expect(re2ProgramSize('a**')).toBeUndefined();
  });
});

const envoy = findEnvoyBinary();
if (!envoy) console.warn(envoyMissingMessage('regex-program-size (Envoy-backed)'));

/** Asks Envoy for a regex's program size: with max_program_size 1 it refuses and names the size. */
function envoyProgramSize(binary: string, dir: string, regex: string): number | 'accepted' {
  const bootstrap = {
    static_resources: {
      listeners: [
        {
          name: 'l',
          address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'hcm',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'x',
                    route_config: {
                      virtual_hosts: [
                        {
                          name: 'v',
                          domains: ['*'],
                          routes: [
                            {
                              match: { safe_regex: { google_re2: { max_program_size: 1 }, regex } },
                              direct_response: { status: 200 },
                            },
                          ],
                        },
                      ],
                    },
                    http_filters: [
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                        },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  };
  const file = join(dir, 'bootstrap.json');
  writeFileSync(file, JSON.stringify(bootstrap));
  try {
    execFileSync(binary, ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'], {
      encoding: 'utf8',
    });
    return 'accepted';
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    const size = /RE2 program size of (\d+) >/.exec(output)?.[1];
    if (size === undefined)
      throw new Error(`Envoy refused ${regex} for another reason: ${output.slice(-400)}`);
    return Number(size);
  }
}

describe.skipIf(!envoy)('re2ProgramSize agrees with a real Envoy', () => {
  it('for every measured pattern (Envoy asked again, not the recorded figure)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-re2-'));
    try {
      const disagreements = measured
        .map(
          ([pattern]) => [pattern, envoyProgramSize(envoy!, dir, pattern), re2ProgramSize(pattern)] as const,
        )
        .filter(([, real, ours]) => real !== ours);
      expect(disagreements).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
