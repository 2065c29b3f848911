import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type PassContext, seededRandom } from '@attache/core';
import { resourcesFromYaml } from '@attache/testkit';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { httpSpecSchemas } from '../index.js';
import { admitter, type MissingFieldCodes } from './admit.js';
import { quickCheckFor } from './schema-checks.js';

const dir = fileURLToPath(new URL('../testdata', import.meta.url));

describe('quick schema check', () => {
  const specs = readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .flatMap((f) => resourcesFromYaml(readFileSync(`${dir}/${f}`, 'utf8'), f))
    .map((s) => s.resource as { kind: string; spec?: unknown });

  it('is used for Mappings, the kind there are thousands of', () => {
    expect(quickCheckFor(httpSpecSchemas.Mapping)).not.toBeNull();
  });

  it('gives the compiled schema check’s verdict on every spec in the golden inputs', () => {
    let compared = 0;
    let invalid = 0;
    for (const [kind, schema] of Object.entries(httpSpecSchemas)) {
      const quick = quickCheckFor(schema);
      if (!quick) continue;
      const full = TypeCompiler.Compile(schema);
      for (const r of specs) {
        if (r.kind !== kind || typeof r.spec !== 'object' || r.spec === null || Array.isArray(r.spec))
          continue;
        const spec = r.spec as Record<string, unknown>;
        expect(quick(spec), `${kind} ${JSON.stringify(spec)}`).toBe(full.Check(spec));
        compared++;
        if (!full.Check(spec)) invalid++;
      }
    }
    expect(compared).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(0);
  });

  it('gives the compiled check’s verdict on random specs, each property’s check compiled on first sight', () => {
    // Values of every field the golden Mappings set, put under random keys (often the wrong type).
    const mappings = specs.filter((r) => r.kind === 'Mapping' && r.spec && typeof r.spec === 'object');
    const values = mappings.flatMap((r) => Object.values(r.spec as Record<string, unknown>));
    const keys = [...Object.keys(httpSpecSchemas.Mapping.properties), 'not_a_field'];
    const full = TypeCompiler.Compile(httpSpecSchemas.Mapping);
    const random = seededRandom(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let invalid = 0;
    for (let round = 0; round < 40; round++) {
      // A schema object of its own: quickCheckFor starts with no property compiled.
      const quick = quickCheckFor({ ...httpSpecSchemas.Mapping })!;
      for (let i = 0; i < 50; i++) {
        const spec: Record<string, unknown> = { ...(pick(mappings).spec as Record<string, unknown>) };
        const edits = Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) spec[pick(keys)] = random() < 0.1 ? undefined : pick(values);
        if (random() < 0.05) delete spec.service;
        expect(quick(spec), JSON.stringify(spec)).toBe(full.Check(spec));
        if (!full.Check(spec)) invalid++;
      }
    }
    expect(invalid).toBeGreaterThan(200);
  });

  it('rejects a wrong type, a missing required field, and accepts unknown fields', () => {
    const quick = quickCheckFor(httpSpecSchemas.Mapping)!;
    expect(quick({ prefix: '/a/', service: 's' })).toBe(true);
    expect(quick({ prefix: '/a/', service: 's', some_future_field: 1 })).toBe(true);
    expect(quick({ prefix: '/a/' })).toBe(false);
    expect(quick({ prefix: '/a/', service: 's', timeout_ms: 'soon' })).toBe(false);
    expect(quick({ prefix: '/a/', service: 's', headers: { 'x-a': 1 } })).toBe(false);
  });
});

describe('admitter salt', () => {
  it('is the JSON of the kind, ambassador_id, registered fields, missing codes and known fields', () => {
    const fields = [
      { path: 'bypass_auth', plugin: 'auth', loaded: true, schema: { type: 'boolean' } },
      { path: 'labels', plugin: 'ratelimit', loaded: false },
    ];
    const ctx = {
      options: { ambassadorId: 'edge' },
      memo: {},
      fields: (kind: string) => (kind === 'getambassador.io/Mapping' ? fields : []),
    } as unknown as PassContext;
    const missing = { service: 'MAPPING_NO_SERVICE' } as unknown as MissingFieldCodes;
    const options = { knownAt: { '/spec': ['x'] } };
    for (let round = 0; round < 2; round++) {
      // The second round reads the registered fields' text made by the first.
      expect(admitter(ctx, 'Mapping', httpSpecSchemas.Mapping, missing, options).salt).toBe(
        JSON.stringify(['Mapping', 'edge', fields, missing, options.knownAt]),
      );
      expect(admitter(ctx, 'Host', httpSpecSchemas.Host).salt).toBe(
        JSON.stringify(['Host', 'edge', [], {}, null]),
      );
    }
  });
});

describe('bad strings', () => {
  const admitted = (spec: Record<string, unknown>) => {
    const reports: Array<{ code: string; path?: string }> = [];
    const ctx = {
      options: {},
      fields: () => [],
      report: (d: { code: string; path?: string }) => reports.push({ code: d.code, path: d.path }),
    } as unknown as PassContext;
    const stored = {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: 'm', namespace: 'default' },
        spec: { prefix: '/a/', service: 's', ...spec },
      },
      origin: { file: 'm.yaml', index: 0 },
    };
    const one = admitter(ctx, 'Mapping', httpSpecSchemas.Mapping).one(stored as never);
    return { one, reports: reports.filter((r) => r.code === 'HTTP_STRING_INVALID').map((r) => r.path) };
  };

  it('leaves out a Mapping whose only bad string is a key, a value deep in a list, or the prefix', () => {
    expect(admitted({ headers: { 'x-\u0000name': 'v' } })).toEqual({
      one: undefined,
      reports: ['/spec/headers/x-\u0000name'],
    });
    expect(admitted({ allow_upgrade: ['websocket', 'h2\u0001'] })).toEqual({
      one: undefined,
      reports: ['/spec/allow_upgrade/1'],
    });
    expect(admitted({ add_request_headers: { 'x-ok': { value: 'a\ud800' } } })).toEqual({
      one: undefined,
      reports: ['/spec/add_request_headers/x-ok/value'],
    });
    expect(admitted({ prefix: '/a\ufffd/' }).reports).toEqual(['/spec/prefix']);
  });

  it('admits tabs and line breaks, and reports every bad string of a resource', () => {
    const clean = admitted({ rewrite: '/b/', headers: { 'x-a': 'one\ttwo' }, error_response_overrides: [] });
    expect(clean.reports).toEqual([]);
    expect(clean.one?.id).toBe('default/m');
    expect(admitted({ headers: { 'x-\u0002': 'v', 'x-b': 'w\u0003' } }).reports).toEqual([
      '/spec/headers/x-\u0002',
      '/spec/headers/x-b',
    ]);
  });
});
