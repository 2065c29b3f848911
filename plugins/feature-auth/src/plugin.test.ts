import { compile, type Resource, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { describe, expect, it } from 'vitest';
import { featureAuthPlugin } from './index.js';

const r = (kind: string, name: string, spec: Record<string, unknown>): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec,
  } as Resource,
  origin: { source: 'test' },
});

const inputs = [
  r('Listener', 'http', {
    port: 8080,
    protocol: 'HTTP',
    securityModel: 'XFP',
    hostBinding: { namespace: { from: 'ALL' } },
  }),
  r('Host', 'app', { hostname: 'app.example.com', requestPolicy: { insecure: { action: 'Route' } } }),
  r('AuthService', 'authn', { auth_service: 'auth:3000' }),
  r('Mapping', 'public', {
    hostname: 'app.example.com',
    prefix: '/public/',
    service: 'public',
    bypass_auth: true,
  }),
  r('Mapping', 'api', {
    hostname: 'app.example.com',
    prefix: '/api/',
    service: 'api',
    auth_context_extensions: { team: 'a' },
  }),
];
const listenerType = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const httpFilterNames = (result: ReturnType<typeof compile>) =>
  JSON.stringify(result.xds[listenerType].map((l) => l.resource)).match(/envoy\.filters\.http\.[a-z_]+/g) ??
  [];

describe('feature-auth in and out of a distribution', () => {
  it('without it, the rest still compiles; the AuthService kind and the Mapping fields are named as needing it', () => {
    const result = compile(inputs, [httpPlugin, envoyPlugin]);
    expect(result.diagnostics.map((d) => [d.code, d.resource?.name, d.path])).toEqual([
      ['KIND_NEEDS_PLUGIN', 'authn', '/kind'],
      ['FIELD_NEEDS_PLUGIN', 'api', '/spec/auth_context_extensions'],
      ['FIELD_NEEDS_PLUGIN', 'public', '/spec/bypass_auth'],
    ]);
    expect(httpFilterNames(result)).not.toContain('envoy.filters.http.ext_authz');
    expect(result.xds[listenerType]).toHaveLength(1);
  });

  it('with it: no diagnostics, the ext_authz filter after CORS, and the Mapping fields applied', () => {
    const result = compile(inputs, [httpPlugin, featureAuthPlugin, envoyPlugin]);
    expect(result.diagnostics).toEqual([]);
    const names = [...new Set(httpFilterNames(result))];
    expect(names.indexOf('envoy.filters.http.cors')).toBeLessThan(
      names.indexOf('envoy.filters.http.ext_authz'),
    );
    const routes = JSON.stringify(
      result.xds['type.googleapis.com/envoy.config.route.v3.RouteConfiguration'].map((x) => x.resource),
    );
    expect(routes).toContain('"context_extensions":{"team":"a"}');
    expect(routes).toContain('"disabled":true');
  });

  it('without it, Attaché’s own auth_service fields on Hosts and Mappings name it too', () => {
    const withChoice = [
      r('Host', 'app', {
        hostname: 'app.example.com',
        auth_service: 'authn',
        requestPolicy: { insecure: { action: 'Route' } },
      }),
      r('Mapping', 'api', {
        hostname: 'app.example.com',
        prefix: '/api/',
        service: 'api',
        auth_service: 'authn',
      }),
    ];
    const result = compile([inputs[0]!, ...withChoice], [httpPlugin, envoyPlugin]);
    expect(result.diagnostics.map((d) => [d.code, d.resource?.kind, d.path])).toEqual([
      ['FIELD_NEEDS_PLUGIN', 'Host', '/spec/auth_service'],
      ['FIELD_NEEDS_PLUGIN', 'Mapping', '/spec/auth_service'],
    ]);
  });

  it('without the http plugin, an AuthService is reported as protecting nothing', () => {
    const result = compile([inputs[2]!], [featureAuthPlugin, envoyPlugin]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['AUTH_NO_HTTP_MODEL']);
  });

  it('serves only its ambassador_id', () => {
    const other = r('AuthService', 'other', { auth_service: 'auth:3000', ambassador_id: ['blue'] });
    // Listener and Host serve both instances.
    const both = inputs.slice(0, 2).map((s) => ({
      ...s,
      resource: { ...s.resource, spec: { ...s.resource.spec, ambassador_id: ['default', 'blue'] } },
    }));
    const result = compile([...both, other], [httpPlugin, featureAuthPlugin, envoyPlugin]);
    expect(result.xds[listenerType]).toHaveLength(1);
    expect(httpFilterNames(result)).not.toContain('envoy.filters.http.ext_authz');
    const blue = compile([...both, other], [httpPlugin, featureAuthPlugin, envoyPlugin], {
      ambassadorId: 'blue',
    });
    expect(httpFilterNames(blue)).toContain('envoy.filters.http.ext_authz');
  });
});
