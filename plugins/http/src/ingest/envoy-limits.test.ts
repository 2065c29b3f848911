import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, TypeUrl } from '@attache/core';
import { buildStaticBootstrap, envoyPlugin } from '@attache/envoy';
import { envoyMissingMessage, findEnvoyBinary, httpListener, storedResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

const listener = httpListener('edge');

const mapping = (name: string, spec: Record<string, unknown>) =>
  storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { hostname: '*', prefix: `/${name}/`, service: name, ...spec },
  });

/**
 * Values Envoy 1.39.3 refuses (each checked with `envoy --mode validate`), with the code and
 * field Attaché must name instead: before, each reached Envoy's validation as ENVOY_REJECTED on a
 * generated JSON path, sometimes several times, and a refused cluster left its route answering 503.
 */
const refused: Array<[string, Record<string, unknown>, string, string]> = [
  ['huge-timeout', { timeout_ms: 1e308 }, 'HTTP_SCHEMA_INVALID', '/spec/timeout_ms'],
  ['huge-connect', { connect_timeout_ms: 1e17 }, 'HTTP_SCHEMA_INVALID', '/spec/connect_timeout_ms'],
  ['past-int64-ns', { idle_timeout_ms: 9_223_372_036_000 }, 'HTTP_SCHEMA_INVALID', '/spec/idle_timeout_ms'],
  [
    'long-retry',
    { retry_policy: { per_try_timeout: '99999999999h' } },
    'HTTP_SCHEMA_INVALID',
    '/spec/retry_policy/per_try_timeout',
  ],
  [
    'crlf-name',
    { add_request_headers: { 'x-a\r\nevil': 'v' } },
    'HTTP_HEADER_INVALID',
    '/spec/add_request_headers/x-a\r\nevil',
  ],
  [
    'crlf-value',
    { add_response_headers: { 'x-b': 'v\r\nevil: 1' } },
    'HTTP_HEADER_INVALID',
    '/spec/add_response_headers/x-b',
  ],
  [
    'crlf-object',
    { add_request_headers: { 'x-c': { value: 'a\nb', append: false } } },
    'HTTP_HEADER_INVALID',
    '/spec/add_request_headers/x-c/value',
  ],
  [
    'space-name',
    { add_request_headers: { 'x a': 'v' } },
    'HTTP_HEADER_INVALID',
    '/spec/add_request_headers/x a',
  ],
  [
    'percent',
    { add_request_headers: { 'x-discount': '100%' } },
    'HTTP_HEADER_INVALID',
    '/spec/add_request_headers/x-discount',
  ],
  [
    'set-host',
    { add_request_headers: { Host: 'example.com' } },
    'HTTP_HEADER_INVALID',
    '/spec/add_request_headers/Host',
  ],
  [
    'remove-pseudo',
    { remove_request_headers: [':authority'] },
    'HTTP_HEADER_INVALID',
    '/spec/remove_request_headers/0',
  ],
  ['crlf-rewrite', { rewrite: '/x\r\n' }, 'HTTP_SCHEMA_INVALID', '/spec/rewrite'],
  ['big-regex', { prefix: '/[a-z]{500}', prefix_regex: true }, 'HTTP_REGEX_TOO_LARGE', '/spec/prefix'],
  [
    'big-header-regex',
    { regex_headers: { 'x-id': '[0-9a-f]{128}' } },
    'HTTP_REGEX_TOO_LARGE',
    '/spec/regex_headers/x-id',
  ],
  ['wide-escape', { prefix: '/\\x{100}', prefix_regex: true }, 'HTTP_REGEX_TOO_LARGE', '/spec/prefix'],
];

const good = mapping('good', {
  add_request_headers: { 'x-percent': '100%%', 'x-client': '%DOWNSTREAM_REMOTE_ADDRESS%' },
});

function routeNames(result: ReturnType<typeof compile>): string[] {
  return result.xds[TypeUrl.RouteConfiguration].flatMap((r) =>
    (r.resource.virtual_hosts as Array<{ routes: Array<{ name: string }> }>).flatMap((v) =>
      v.routes.map((x) => x.name),
    ),
  );
}

describe('values Envoy would refuse are caught on the user field, once, and the Mapping is left out whole', () => {
  it.each(refused)('%s', (name, spec, code, path) => {
    const result = compile([listener, good, mapping(name, spec)], [httpPlugin, envoyPlugin]);
    const about = result.diagnostics.filter((d) => d.resource?.name === name);
    expect(about.map((d) => [d.code, d.path])).toEqual([[code, path]]);
    expect(result.diagnostics.filter((d) => d.code.startsWith('ENVOY_'))).toEqual([]);
    expect(routeNames(result)).toContain('default/good');
    expect(routeNames(result)).not.toContain(`default/${name}`);
    expect(JSON.stringify(result.xds)).not.toContain(`cluster_${name.replaceAll('-', '_')}_`);
  });

  it('a regex within the Module regex_max_size passes, and the limit follows the Module', () => {
    const regex = mapping('id', { regex_headers: { 'x-id': '[0-9a-f]{64}' } }); // 132 instructions
    const module = (size: number) =>
      storedResource({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config: { regex_max_size: size } },
      });
    const codes = (size: number) =>
      compile([listener, module(size), regex], [httpPlugin, envoyPlugin]).diagnostics.map((d) => d.code);
    expect(codes(132)).not.toContain('HTTP_REGEX_TOO_LARGE');
    expect(codes(131)).toContain('HTTP_REGEX_TOO_LARGE');
  });
});

const envoy = findEnvoyBinary();
if (!envoy) console.warn(envoyMissingMessage('envoy-limits (Envoy-backed)'));

describe.skipIf(!envoy)('what Attaché emits for them, a real Envoy accepts', () => {
  it('every refused value above, and the good Mapping beside them, in one bootstrap', () => {
    const result = compile(
      [listener, good, ...refused.map(([name, spec]) => mapping(name, spec))],
      [httpPlugin, envoyPlugin],
    );
    const dir = mkdtempSync(join(tmpdir(), 'attache-limits-'));
    try {
      const file = join(dir, 'bootstrap.json');
      writeFileSync(file, JSON.stringify(buildStaticBootstrap(result.xds)));
      const out = execFileSync(
        envoy!,
        ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'],
        {
          encoding: 'utf8',
        },
      );
      expect(out).toContain('OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
