import { describe, expect, it } from 'vitest';
import { isOurIngress } from './ingress-class.js';
import { translateIngress } from './ingress-translation.js';

const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'web', name: 'site' };
const translate = (spec: Record<string, unknown>, annotations?: Record<string, string>) =>
  translateIngress({
    ingress: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'site', namespace: 'web', ...(annotations ? { annotations } : {}) },
      spec,
    },
    ref,
    objectPath: 'kubernetes:Ingress/web/site',
    ambassadorIds: ['default'],
    resolveNamedPort: (ns, svc, port) =>
      ns === 'web' && svc === 'app' && port === 'http' ? 8080 : undefined,
  });
const backend = (name: string, port: Record<string, unknown> = { number: 80 }) => ({
  service: { name, port },
});

describe('translateIngress', () => {
  it('maps pathTypes to prefix matches and rule hosts to hostnames, without rewriting', () => {
    const { resources, diagnostics } = translate({
      rules: [
        {
          host: 'a.example.com',
          http: {
            paths: [
              { path: '/exact', pathType: 'Exact', backend: backend('app') },
              { path: '/prefix', pathType: 'Prefix', backend: backend('app', { name: 'http' }) },
              { path: '/impl', pathType: 'ImplementationSpecific', backend: backend('other') },
            ],
          },
        },
        { http: { paths: [{ pathType: 'Prefix', backend: backend('any') }] } },
      ],
    });
    expect(diagnostics).toEqual([]);
    const mappings = resources
      .filter((r) => r.resource.kind === 'Mapping')
      .map((r) => [r.resource.metadata.name, r.resource.spec]);
    expect(mappings).toEqual([
      [
        'site-0-0',
        {
          ambassador_id: ['default'],
          hostname: 'a.example.com',
          prefix: '/exact',
          prefix_exact: true,
          rewrite: '',
          service: 'app.web:80',
        },
      ],
      [
        'site-0-1',
        {
          ambassador_id: ['default'],
          hostname: 'a.example.com',
          prefix: '/prefix',
          rewrite: '',
          service: 'app.web:8080',
        },
      ],
      [
        'site-0-2',
        {
          ambassador_id: ['default'],
          hostname: 'a.example.com',
          prefix: '/impl',
          rewrite: '',
          service: 'other.web:80',
        },
      ],
      [
        'site-1-0',
        { ambassador_id: ['default'], hostname: '*', prefix: '/', rewrite: '', service: 'any.web:80' },
      ],
    ]);
    const hosts = resources.filter((r) => r.resource.kind === 'Host').map((r) => r.resource.spec);
    expect(hosts).toEqual([
      {
        ambassador_id: ['default'],
        hostname: 'a.example.com',
        requestPolicy: { insecure: { action: 'Route' } },
      },
    ]);
    expect(resources.every((r) => r.origin.parent === ref && r.resource.metadata.namespace === 'web')).toBe(
      true,
    );
  });

  it('makes a TLS Host per tls hostname and a / Mapping for the default backend', () => {
    const { resources } = translate(
      {
        tls: [{ hosts: ['a.example.com', 'b.example.com'], secretName: 'certs' }],
        defaultBackend: backend('fallback'),
      },
      { 'getambassador.io/ambassador-id': 'blue, green' },
    );
    expect(resources.map((r) => [r.resource.kind, r.resource.metadata.name, r.resource.spec])).toEqual([
      [
        'Host',
        'site-tls-0-0',
        { ambassador_id: ['blue', 'green'], hostname: 'a.example.com', tlsSecret: { name: 'certs' } },
      ],
      [
        'Host',
        'site-tls-0-1',
        { ambassador_id: ['blue', 'green'], hostname: 'b.example.com', tlsSecret: { name: 'certs' } },
      ],
      [
        'Mapping',
        'site-default-backend',
        {
          ambassador_id: ['blue', 'green'],
          hostname: '*',
          prefix: '/',
          rewrite: '',
          service: 'fallback.web:80',
        },
      ],
    ]);
  });

  it('skips resource backends and unknown named ports with a diagnostic on the Ingress', () => {
    const { resources, diagnostics } = translate({
      rules: [
        {
          http: {
            paths: [
              { path: '/r', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } },
              { path: '/n', pathType: 'Prefix', backend: backend('app', { name: 'nope' }) },
            ],
          },
        },
      ],
    });
    expect(resources).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['KUBERNETES_INGRESS_UNSUPPORTED', '/spec/rules/0/http/paths/0/backend'],
      ['KUBERNETES_INGRESS_UNSUPPORTED', '/spec/rules/0/http/paths/1/backend/service/port/name'],
    ]);
    expect(diagnostics.every((d) => d.resource === ref)).toBe(true);
  });
});

describe('isOurIngress', () => {
  const ours = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'attache' },
    spec: { controller: 'getambassador.io/ingress-controller' },
  };
  const theirs = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx' },
    spec: { controller: 'k8s.io/ingress-nginx' },
  };
  const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
    metadata: { name: 'i', ...(annotations ? { annotations } : {}) },
    spec,
  });

  it('follows the IngressClass controller, the legacy annotation, and the default class', () => {
    expect(isOurIngress(ingress({ ingressClassName: 'attache' }), [ours, theirs], 'ambassador')).toBe(true);
    expect(isOurIngress(ingress({ ingressClassName: 'nginx' }), [ours, theirs], 'ambassador')).toBe(false);
    expect(isOurIngress(ingress({ ingressClassName: 'missing' }), [ours], 'ambassador')).toBe(false);
    expect(isOurIngress(ingress({}, { 'kubernetes.io/ingress.class': 'ambassador' }), [], 'ambassador')).toBe(
      true,
    );
    expect(isOurIngress(ingress({}, { 'kubernetes.io/ingress.class': 'nginx' }), [ours], 'ambassador')).toBe(
      false,
    );
    expect(isOurIngress(ingress({}), [ours], 'ambassador')).toBe(false);
    const defaultClass = {
      ...ours,
      metadata: { name: 'attache', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    };
    expect(isOurIngress(ingress({}), [defaultClass], 'ambassador')).toBe(true);
  });
});
