import {
  compile,
  createPipeline,
  definePlugin,
  HttpModelExt,
  PluginLoadError,
  type Resource,
  readExt,
  requestServices,
  ServiceGrantsExt,
  type StoredResource,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from './index.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });
const r = (
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  namespace = 'default',
): StoredResource =>
  stored({ apiVersion: 'getambassador.io/v3alpha1', kind, metadata: { name, namespace }, spec });

const edge = [
  r('Listener', 'http', {
    port: 8080,
    protocol: 'HTTP',
    securityModel: 'XFP',
    hostBinding: { namespace: { from: 'ALL' } },
  }),
  r('Host', 'app', { hostname: 'app.example.com', requestPolicy: { insecure: { action: 'Route' } } }),
];

const codes = (result: ReturnType<typeof compile>) => result.diagnostics.map((d) => `${d.code} ${d.path}`);

describe('schema extension: fields of a kind another plugin owns', () => {
  const withBypass = r('Mapping', 'public', {
    hostname: 'app.example.com',
    prefix: '/public/',
    service: 'public',
    bypass_auth: true,
  });

  it('without the implementing plugin, a Mapping setting its field gets FIELD_NEEDS_PLUGIN naming the plugin', () => {
    const result = compile([...edge, withBypass], [httpPlugin, envoyPlugin]);
    const found = result.diagnostics.filter((d) => d.code === 'FIELD_NEEDS_PLUGIN');
    expect(found.map((d) => [d.resource?.name, d.path, d.severity])).toEqual([
      ['public', '/spec/bypass_auth', 'warning'],
    ]);
    expect(found[0]!.message).toContain('field bypass_auth needs the feature-auth plugin');
  });

  it('a plugin claiming a field silences both FIELD_NEEDS_PLUGIN and HTTP_FIELD_UNKNOWN for it', () => {
    const claimant = definePlugin({
      id: 'feature-auth',
      register(reg) {
        reg.fields([
          { kind: 'getambassador.io/Mapping', path: '/spec/bypass_auth', schema: Type.Boolean() },
          { kind: 'getambassador.io/Mapping', path: '/spec/team_policy', schema: Type.String() },
        ]);
      },
    });
    const beyond = r('Mapping', 'private', {
      hostname: 'app.example.com',
      prefix: '/private/',
      service: 'private',
      team_policy: 'strict',
      team_polcy: 'typo',
    });
    const result = compile([...edge, withBypass, beyond], [httpPlugin, claimant, envoyPlugin]);
    expect(codes(result)).toEqual(['HTTP_FIELD_UNKNOWN /spec/team_polcy']);
    // Without the claimant, the new field is unknown to http.
    const without = compile([...edge, beyond], [httpPlugin, envoyPlugin]);
    expect(codes(without)).toContain('HTTP_FIELD_UNKNOWN /spec/team_policy');
  });

  it('two plugins claiming one field, or delegating fields of a kind not owned, are load errors', () => {
    const claim = (id: string) =>
      definePlugin({
        id,
        register(reg) {
          reg.fields([{ kind: 'getambassador.io/Mapping', path: '/spec/x' }]);
        },
      });
    expect(() => createPipeline([httpPlugin, claim('a'), claim('b')])).toThrow(PluginLoadError);
    expect(() => createPipeline([httpPlugin, claim('a'), claim('b')])).toThrow(/claimed by both 'a' and 'b'/);
    const delegator = definePlugin({
      id: 'c',
      register(reg) {
        reg.delegateFields('getambassador.io/Mapping', { '/spec/y': 'd' });
      },
    });
    expect(() => createPipeline([httpPlugin, delegator])).toThrow(/does not own/);
  });
});

describe('HTTP model extension point', () => {
  it('publishes which Mapping became which routes, and the Host and Listener behind each virtual host', () => {
    const seen: unknown[] = [];
    const reader = definePlugin({
      id: 'reader',
      register(reg) {
        reg.pass({
          id: 'reader.look',
          phase: 'attach',
          reads: [HttpModelExt.key],
          run(ctx) {
            const model = readExt(ctx.ir, HttpModelExt)!;
            seen.push({
              sources: model.routeSources.map((s) => [s.ref.name, s.spec.prefix, [...s.routeNames]]),
              builtin: model.builtinRoutes,
              hosts: Object.entries(model.virtualHosts).map(([vh, h]) => [vh, h.ref.name, h.hostname]),
              configs: Object.entries(model.routeConfigs).map(([rc, l]) => [rc, l.ref.name, l.port, l.tls]),
            });
          },
        });
      },
    });
    compile(
      [...edge, r('Mapping', 'api', { hostname: 'app.example.com', prefix: '/api/', service: 'api' })],
      [httpPlugin, reader, envoyPlugin],
    );
    expect(seen).toEqual([
      {
        sources: [['api', '/api/', ['default/api']]],
        builtin: {
          internal_liveness_probe_mapping: { role: 'probe' },
          internal_readiness_probe_mapping: { role: 'probe' },
        },
        hosts: [['default/app', 'app', 'app.example.com']],
        configs: [['default/http/cleartext', 'http', 8080, false]],
      },
    ]);
  });
});

describe('service requests', () => {
  const requester = (tls?: string) =>
    definePlugin({
      id: 'requester',
      consumes: ['getambassador.io/AuthService'],
      register(reg) {
        reg.diagnostics({});
        reg.pass({
          id: 'requester.ask',
          phase: 'ingest',
          writes: ['edge.serviceRequests'],
          run(ctx) {
            requestServices(ctx.ir.ext, [
              {
                id: 'requester/security/authn',
                ref: {
                  apiVersion: 'getambassador.io/v3alpha1',
                  kind: 'AuthService',
                  name: 'authn',
                  namespace: 'security',
                },
                namespace: 'security',
                service: 'ext-authz:9000',
                servicePath: '/spec/auth_service',
                ...(tls ? { tls, tlsPath: '/spec/tls' } : {}),
                http2: true,
                namePrefix: 'cluster_extauth',
              },
            ]);
          },
        });
        reg.pass({
          id: 'requester.use',
          phase: 'attach',
          reads: ['edge.serviceGrants'],
          run(ctx) {
            grants.push(readExt(ctx.ir, ServiceGrantsExt)!);
          },
        });
      },
    });
  let grants: unknown[] = [];

  it('resolves a feature service like a Mapping service: namespace-qualified, HTTP/2, kept by pruning', () => {
    grants = [];
    const result = compile(edge, [httpPlugin, requester(), envoyPlugin]);
    const grant = grants[0] as Record<string, { cluster: string; authority: string }>;
    const name = grant['requester/security/authn']!.cluster;
    expect(grant['requester/security/authn']!.authority).toBe('ext-authz.security:9000');
    expect(result.ir.clusters[name]).toMatchObject({
      discovery: 'STRICT_DNS',
      targets: [{ host: 'ext-authz.security', port: 9000 }],
      http2: true,
    });
    expect(result.xds['type.googleapis.com/envoy.config.cluster.v3.Cluster'].map((c) => c.name)).toContain(
      name,
    );
  });

  it('an unknown TLSContext refuses the request with SERVICE_TLS_CONTEXT_UNKNOWN on the requester', () => {
    grants = [];
    const result = compile(edge, [httpPlugin, requester('nope'), envoyPlugin]);
    expect(grants[0]).toEqual({ 'requester/security/authn': { refused: true } });
    expect(result.diagnostics.map((d) => [d.code, d.resource?.kind, d.path])).toEqual([
      ['SERVICE_TLS_CONTEXT_UNKNOWN', 'AuthService', '/spec/tls'],
    ]);
  });
});
