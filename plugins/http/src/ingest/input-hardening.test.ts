import { compile, type Resource, type StoredResource, TypeUrl } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { asciiHostname } from '../idn.js';
import { httpPlugin } from '../index.js';
import { unknownFields } from './unknown-fields.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });
const listener: Resource = {
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Listener',
  metadata: { name: 'http', namespace: 'default' },
  spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
};
const mapping = (prefix: string): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  metadata: { name: 'long', namespace: 'default' },
  spec: { hostname: '*', prefix, service: 'svc' },
});
const module = (config: Record<string, unknown>): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Module',
  metadata: { name: 'ambassador', namespace: 'default' },
  spec: { config },
});
const routesTo = (result: ReturnType<typeof compile>) =>
  JSON.stringify(result.xds[TypeUrl.RouteConfiguration]).includes('cluster_svc');

describe('a prefix no request can carry', () => {
  const prefix = `/${'a'.repeat(100 * 1024)}/`;

  it('is an error naming the limit, and the Mapping is left out', () => {
    const result = compile([stored(listener), stored(mapping(prefix))], [httpPlugin, envoyPlugin]);
    const found = result.diagnostics.filter((d) => d.code === 'MAPPING_PREFIX_TOO_LONG');
    expect(found.map((d) => [d.severity, d.path])).toEqual([['error', '/spec/prefix']]);
    expect(found[0]!.message).toMatch(/102402 bytes, more than the 60 KiB/);
    expect(routesTo(result)).toBe(false);
  });

  it('follows the Module max_request_headers_kb', () => {
    const result = compile(
      [stored(listener), stored(mapping(prefix)), stored(module({ max_request_headers_kb: 200 }))],
      [httpPlugin, envoyPlugin],
    );
    expect(result.diagnostics.filter((d) => d.code === 'MAPPING_PREFIX_TOO_LONG')).toEqual([]);
    expect(routesTo(result)).toBe(true);
  });
});

describe('unknownFields', () => {
  const schema = Type.Object({
    name: Type.String(),
    nested: Type.Optional(Type.Object({ inner: Type.Integer() })),
    list: Type.Optional(Type.Array(Type.Object({ item: Type.String() }))),
    map: Type.Optional(Type.Record(Type.String(), Type.Object({ value: Type.String() }))),
    either: Type.Optional(Type.Union([Type.String(), Type.Object({ one: Type.String() })])),
    free: Type.Optional(Type.Object({}, { 'x-kubernetes-preserve-unknown-fields': true })),
    closed: Type.Optional(Type.Object({ a: Type.String() }, { additionalProperties: false })),
    tls: Type.Optional(Type.Object({ ca_secret: Type.String() })),
  });
  const at = { pointer: '/spec', display: 'spec' };

  it('reports each unknown key once with its JSON pointer', () => {
    const found = unknownFields(
      schema,
      {
        nmae: 'x',
        nested: { iner: 1 },
        list: [{ item: 'a' }, { itme: 'b' }],
        map: { 'k/1': { value: 'v', valeu: 'w' } },
        either: { one: 'x', two: 'y' },
        free: { anything: 1 },
        closed: { b: 1 },
      },
      at,
    );
    expect(found).toEqual([
      { path: '/spec/nmae', display: 'spec.nmae', meant: 'name' },
      { path: '/spec/nested/iner', display: 'spec.nested.iner', meant: 'inner' },
      { path: '/spec/list/1/itme', display: 'spec.list[1].itme', meant: 'item' },
      { path: '/spec/map/k~11/valeu', display: 'spec.map.k/1.valeu', meant: 'value' },
      { path: '/spec/either/two', display: 'spec.either.two' },
    ]);
  });

  it('accepts keys another check speaks for, leaves places alone, and suggests in the written spelling', () => {
    const found = unknownFields(
      schema,
      { name: 'x', extra: 1, nested: { wrong: 1 }, tls: { caSecret: 'ok', caSecrett: 'x' } },
      at,
      {
        knownAt: { '/spec': ['extra'] },
        leaveAlone: (pointer) => pointer === '/spec/nested',
        normalizeKey: (pointer, key) =>
          pointer === '/spec/tls' ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key,
      },
    );
    expect(found).toEqual([
      { path: '/spec/tls/caSecrett', display: 'spec.tls.caSecrett', meant: 'caSecret' },
    ]);
  });
});

describe('asciiHostname', () => {
  it('gives the punycode clients send for an internationalised name, keeping globs and ports', () => {
    expect(asciiHostname('example.com')).toBeUndefined();
    expect(asciiHostname('bücher.example')).toEqual({ punycode: 'xn--bcher-kva.example' });
    expect(asciiHostname('*.bücher.example')).toEqual({ punycode: '*.xn--bcher-kva.example' });
    expect(asciiHostname('bücher.*')).toEqual({ punycode: 'xn--bcher-kva.*' });
    expect(asciiHostname('bücher.example:8443')).toEqual({ punycode: 'xn--bcher-kva.example:8443' });
    expect(asciiHostname('bü cher.example')).toEqual({});
  });
});
