import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { luaSyntaxProblem } from '@attache/envoy-facts';
import { envoyMissingMessage, findEnvoyBinary } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

/** Scripts and whether Envoy 1.39.3 loads them (its LuaJIT: 5.1 with LuaJIT extensions). */
const scripts: Array<[string, boolean]> = [
  ['function envoy_on_request(h)\n  h:headers():add("x-lua", "1")\nend', true],
  ['local x = 1LL', true],
  ['goto continue\n::continue::', true],
  ['x = 0x1p4', true],
  ['x = "\\z  abc"', true],
  ['0', false],
  ['http://x', false],
  ['if x then end end', false],
  ['return #t // 2', false],
  ['local a <const> = 1', false],
  ['local x = 1 & 2', false],
];

describe('Lua syntax as Envoy loads it', () => {
  it.each(scripts)('%j loads: %s', (script, loads) => {
    expect(luaSyntaxProblem(script) === undefined).toBe(loads);
  });
});

const stored = (resource: Record<string, unknown>): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test' },
});
const inputs = (lua: string) => [
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name: 'edge', namespace: 'default' },
    spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
  }),
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Module',
    metadata: { name: 'ambassador', namespace: 'default' },
    spec: { config: { lua_scripts: lua, server_name: 'edge', ip_allow: [{ peer: '127.0.0.1' }] } },
  }),
];

describe('a Module whose lua_scripts Envoy would not load', () => {
  it('is MODULE_LUA_INVALID on the field; only the Lua filter is left out (server_name and ip_allow still apply)', () => {
    const result = compile(inputs('function envoy_on_request(h) h:headers():add("a", "b") end end'), [
      httpPlugin,
      envoyPlugin,
    ]);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.path])).toEqual([
      ['MODULE_LUA_INVALID', '/spec/config/lua_scripts'],
    ]);
    const json = JSON.stringify(result.xds);
    expect(json).not.toContain('envoy.filters.http.lua');
    expect(json).toContain('"server_name":"edge"');
    // The RBAC filter of ip_allow stays: a broken script must not open what the Module closes.
    expect(json).toContain('envoy.filters.http.rbac');
  });

  it('a valid script is served', () => {
    const result = compile(inputs(scripts[0]![0]), [httpPlugin, envoyPlugin]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(JSON.stringify(result.xds)).toContain('envoy.filters.http.lua');
  });
});

const envoy = findEnvoyBinary();
if (!envoy) console.warn(envoyMissingMessage('lua-check (Envoy-backed)'));

describe.skipIf(!envoy)('luaSyntaxProblem agrees with a real Envoy', () => {
  it('on every script above (Envoy asked again, not the recorded verdict)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-lua-'));
    const envoyLoads = (script: string) => {
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
                              routes: [{ match: { prefix: '/' }, direct_response: { status: 200 } }],
                            },
                          ],
                        },
                        http_filters: [
                          {
                            name: 'envoy.filters.http.lua',
                            typed_config: {
                              '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
                              default_source_code: { inline_string: script },
                            },
                          },
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
        execFileSync(envoy!, ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'], {
          stdio: 'pipe',
        });
        return true;
      } catch {
        return false;
      }
    };
    try {
      const disagreements = scripts
        .map(([script]) => [script, envoyLoads(script), luaSyntaxProblem(script) === undefined] as const)
        .filter(([, real, ours]) => real !== ours);
      expect(disagreements).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
