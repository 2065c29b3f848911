import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

/**
 * A Mapping cannot remove or set the Server header while Envoy writes it itself
 * (found by hand on Envoy 1.39.3: with OVERWRITE the response says "server: envoy"
 * whatever the route removes; APPEND_IF_ABSENT adds it back once removed; only
 * PASS_THROUGH lets the removal stand). The Mapping still compiles; it gets a warning.
 */
const stored = (resource: Record<string, unknown>): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test' },
});

function run(transformation: string | undefined, spec: Record<string, unknown>) {
  const resources = [
    stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Listener',
      metadata: { name: 'edge', namespace: 'default' },
      spec: {
        port: 8080,
        protocol: 'HTTP',
        securityModel: 'XFP',
        hostBinding: { namespace: { from: 'ALL' } },
      },
    }),
    stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'app', namespace: 'default' },
      spec: { hostname: '*', prefix: '/', service: 'app:8080', ...spec },
    }),
  ];
  if (transformation)
    resources.push(
      stored({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config: { server_header_transformation: transformation } },
      }),
    );
  const result = compile(resources, [httpPlugin, envoyPlugin]);
  return {
    warnings: result.diagnostics.filter((d) => d.code === 'MAPPING_FIELD_IGNORED').map((d) => d.path),
    json: JSON.stringify(result.xds),
  };
}

describe('Server header in a Mapping', () => {
  it('remove_response_headers: [Server] warns by default and with APPEND_IF_ABSENT, still compiles', () => {
    for (const t of [undefined, 'OVERWRITE', 'APPEND_IF_ABSENT']) {
      const { warnings, json } = run(t, { remove_response_headers: ['x-a', 'Server'] });
      expect(warnings, String(t)).toEqual(['/spec/remove_response_headers/1']);
      expect(json).toContain('"response_headers_to_remove":["x-a","Server"]');
    }
  });

  it('is quiet with PASS_THROUGH, where the removal works', () => {
    expect(run('PASS_THROUGH', { remove_response_headers: ['server'] }).warnings).toEqual([]);
  });

  it('add_response_headers: {server} warns only under OVERWRITE', () => {
    const add = { add_response_headers: { server: 'mine' } };
    expect(run(undefined, add).warnings).toEqual(['/spec/add_response_headers/server']);
    expect(run('APPEND_IF_ABSENT', add).warnings).toEqual([]);
  });
});
