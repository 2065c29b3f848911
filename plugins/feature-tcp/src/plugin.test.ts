import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, createPipeline } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { tcpPlugin } from './index.js';

const testdata = (name: string) =>
  resourcesFromYaml(
    readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), 'utf8'),
    name,
  );

const listenerNames = (result: ReturnType<typeof compile>) =>
  (
    (result.xds as unknown as Record<string, Array<{ name: string }>>)[
      'type.googleapis.com/envoy.config.listener.v3.Listener'
    ] ?? []
  ).map((l) => l.name);

describe('feature-tcp plugin', () => {
  it('runs its ingest before the HTTP model resolves, and its attach after the HTTP listeners are built', () => {
    const ids = createPipeline([httpPlugin, tcpPlugin, envoyPlugin]).passes.map((p) => p.id);
    expect(ids.indexOf('feature-tcp.ingest')).toBeLessThan(ids.indexOf('http.resolve-service-requests'));
    expect(ids.indexOf('feature-tcp.ingest')).toBeLessThan(ids.indexOf('http.resolve-tls-terminations'));
    expect(ids.indexOf('http.resolve-host-tls')).toBeLessThan(ids.indexOf('http.resolve-tls-terminations'));
    expect(ids.indexOf('feature-tcp.attach')).toBeGreaterThan(ids.indexOf('http.build-listeners'));
  });

  it('without it, a TCPMapping gets KIND_NEEDS_PLUGIN naming feature-tcp and the rest still compiles', () => {
    const resources = testdata('sni-beside-http.in.yaml');
    const result = compile(resources, [httpPlugin, envoyPlugin]);
    const needs = result.diagnostics.filter((d) => d.code === 'KIND_NEEDS_PLUGIN');
    expect(needs.map((d) => d.resource?.name).sort()).toEqual([
      'broken-tls',
      'db',
      'double-tls',
      'everything',
      'legacy',
      'plain-on-http',
      'steal-www',
    ]);
    expect(needs.every((d) => d.message.includes('feature-tcp'))).toBe(true);
    // Only the Host whose Secret is missing is in error; nothing TCP is.
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([
      'HOST_SECRET_MISSING',
    ]);
    expect(listenerNames(result).sort()).toEqual(['default/edge-http', 'default/edge-https']);
    // With it, the same input adds TCP chains to those listeners and nothing else changes kind.
    const withTcp = compile(resources, [httpPlugin, tcpPlugin, envoyPlugin]);
    expect(listenerNames(withTcp).sort()).toEqual(['default/edge-http', 'default/edge-https']);
    expect(withTcp.diagnostics.some((d) => d.code === 'KIND_NEEDS_PLUGIN')).toBe(false);
  });

  it('without the http plugin there is no cluster to send to: each TCPMapping says so', () => {
    const result = compile(testdata('plain-ports.in.yaml'), [tcpPlugin, envoyPlugin]);
    const codes = result.diagnostics.filter((d) => d.resource?.kind === 'TCPMapping').map((d) => d.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['TCPMAPPING_NO_HTTP_MODEL']));
    expect(listenerNames(result)).toEqual([]);
  });

  it('is deterministic: the same input in another order gives the same output', () => {
    const resources = testdata('weights.in.yaml');
    const a = compile(resources, [httpPlugin, tcpPlugin, envoyPlugin]);
    const b = compile([...resources].reverse(), [httpPlugin, tcpPlugin, envoyPlugin]);
    expect(JSON.stringify(b.xds)).toBe(JSON.stringify(a.xds));
  });
});
