import {
  compile,
  createIncrementalCompiler,
  HttpModelExt,
  type Resource,
  readExt,
  type StoredResource,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import type { HttpMapping } from '../model.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });
const plugins = [httpPlugin, envoyPlugin];

const listener = stored({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Listener',
  metadata: { name: 'http', namespace: 'default' },
  spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
});
const host = stored({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Host',
  metadata: { name: 'a', namespace: 'default' },
  spec: { hostname: 'a.example.com', requestPolicy: { insecure: { action: 'Route' } } },
});
const mapping = (name: string, prefix: string, extra: Record<string, unknown> = {}) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { prefix, service: name, hostname: '*', ...extra },
  });
const module = (regexMaxSize: number) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Module',
    metadata: { name: 'ambassador', namespace: 'default' },
    spec: { config: { regex_max_size: regexMaxSize } },
  });

const mappingsOf = (result: ReturnType<typeof compile>) =>
  new Map(((result.ir.ext['http.mappings'] as HttpMapping[]) ?? []).map((m) => [m.name, m]));

describe('ingest-mappings under an incremental compiler', () => {
  it('keeps the HttpMapping object of an unchanged Mapping, with route names of this compile', () => {
    const incremental = createIncrementalCompiler(plugins);
    const a = mapping('a', '/a/');
    const b = mapping('b', '/b/');
    const c = mapping('c', '/a/', { method: 'POST' });
    const first = mappingsOf(incremental.compile([listener, host, a, b, c]));
    const firstNames = new Map([...first].map(([name, m]) => [name, m.routeNames]));
    expect(first.get('a')!.routeNames.length).toBeGreaterThan(0);

    // b edited: a and c are the same objects (c shares a's prefix bucket, which is unchanged).
    const b2 = mapping('b', '/b2/');
    const second = mappingsOf(incremental.compile([listener, host, a, b2, c]));
    expect(second.get('a')).toBe(first.get('a'));
    expect(second.get('c')).toBe(first.get('c'));
    expect(second.get('b')).not.toBe(first.get('b'));

    // d joins a's bucket: a is the same object, rebuilt with a new route name list; the last
    // compile's list is left as it was (results are shared, never edited).
    const d = mapping('d', '/a/', { method: 'GET' });
    const lastNamesOfA = [...second.get('a')!.routeNames];
    const third = incremental.compile([listener, host, a, b2, c, d]);
    const thirdMappings = mappingsOf(third);
    expect(thirdMappings.get('a')).toBe(first.get('a'));
    expect(firstNames.get('a')).toEqual(lastNamesOfA);
    expect(thirdMappings.get('a')!.routeNames).not.toBe(firstNames.get('a'));
    // Route names are those a full compile gives, for every Mapping.
    const full = mappingsOf(compile([listener, host, a, b2, c, d], plugins));
    for (const [name, m] of thirdMappings) expect(m.routeNames).toEqual(full.get(name)!.routeNames);

    // A Module change (the salt) makes every HttpMapping anew.
    const fourth = mappingsOf(incremental.compile([listener, host, module(300), a, b2, c, d]));
    for (const [name, m] of fourth) expect(m).not.toBe(thirdMappings.get(name));
  });

  it('publishes the route names of this compile for feature plugins, the Mapping kept or not', () => {
    const incremental = createIncrementalCompiler(plugins);
    const hostWith = (action: string) =>
      stored({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        metadata: { name: 'a', namespace: 'default' },
        spec: { hostname: 'a.example.com', requestPolicy: { insecure: { action } } },
      });
    const a = mapping('a', '/a/', { hostname: 'a.example.com' });
    const b = mapping('b', '/b/', { hostname: 'a.example.com' });
    const published = (result: ReturnType<typeof compile>) =>
      Object.fromEntries(
        (readExt(result.ir, HttpModelExt)?.routeSources ?? []).map((s) => [s.ref.name, [...s.routeNames]]),
      );
    // The Host's insecure action decides which routes (and so which names) each Mapping gets.
    for (const inputs of [
      [listener, hostWith('Route'), a, b],
      [listener, hostWith('Redirect'), a, b],
      [listener, hostWith('Reject'), a, b],
      [listener, hostWith('Route'), a, b],
    ]) {
      expect(published(incremental.compile(inputs))).toEqual(published(compile(inputs, plugins)));
    }
  });

  it('replays an unchanged Mapping’s admission and ingest diagnostics on every compile', () => {
    const incremental = createIncrementalCompiler(plugins);
    const bad = mapping('bad', 'no-slash');
    const unknown = mapping('unknown', '/u/', { prefixx: 1 });
    const codes = (result: ReturnType<typeof compile>) =>
      result.diagnostics
        .filter((d) => d.resource?.kind === 'Mapping')
        .map((d) => `${d.resource?.name} ${d.code}`);
    const first = codes(incremental.compile([listener, host, bad, unknown, mapping('x', '/x/')]));
    expect(first).toEqual(expect.arrayContaining(['bad HTTP_SCHEMA_INVALID', 'unknown HTTP_FIELD_UNKNOWN']));
    const second = codes(incremental.compile([listener, host, bad, unknown, mapping('x', '/y/')]));
    expect(second).toEqual(first);
  });
});
