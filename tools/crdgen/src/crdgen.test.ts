import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { buildCrd } from './crds.js';
import { crdKinds } from './kinds.js';
import { generatedCrdFile, renderCrds } from './render.js';
import { structuralProblems } from './structural-check.js';
import { type JsonSchema, toStructural } from './to-structural.js';

/** The parts of a generated OpenAPI schema node these tests read. */
interface SchemaNode {
  properties: Record<string, unknown>;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'deploy');

describe('toStructural', () => {
  it('keeps object structure and validations, drops additionalProperties: false', () => {
    const schema = Type.Object(
      {
        name: Type.String({ minLength: 1 }),
        port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      },
      { additionalProperties: false },
    );
    expect(toStructural(schema as unknown as JsonSchema)).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
      },
      required: ['name'],
    });
  });

  it('turns literal unions into enums, string|number into int-or-string, and other unions into preserved nodes', () => {
    const s = (x: unknown) => toStructural(x as JsonSchema);
    expect(s(Type.Union([Type.Literal('a'), Type.Literal('b')]))).toEqual({
      type: 'string',
      enum: ['a', 'b'],
    });
    expect(s(Type.Union([Type.String(), Type.Integer()]))).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(s(Type.Union([Type.String(), Type.Array(Type.String())]))).toEqual({
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(s(Type.Record(Type.String(), Type.String()))).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(s(Type.Number({ exclusiveMinimum: 0 }))).toEqual({
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
    });
    expect(s(Type.String({ pattern: '^(?!x)' }))).toEqual({ type: 'string' });
  });

  it('reports non-structural schemas (the checker itself can fail)', () => {
    expect(structuralProblems({ type: 'object', properties: { a: {} } })).toHaveLength(1);
    expect(structuralProblems({ type: 'object', additionalProperties: false })).toHaveLength(1);
    expect(
      structuralProblems({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }] } } }).length,
    ).toBeGreaterThan(0);
  });
});

describe('generated CRDs', () => {
  it('are structural for every kind', () => {
    for (const kind of crdKinds) {
      const crd = buildCrd(kind) as {
        spec: { versions: Array<{ schema: { openAPIV3Schema: JsonSchema } }> };
      };
      const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
      expect(schema, kind.kind).toBeDefined();
      expect(structuralProblems(schema as JsonSchema), kind.kind).toEqual([]);
    }
  });

  it('describe the Mapping spec from the http plugin schema, not a preserved blob', () => {
    const mapping = crdKinds.find((k) => k.kind === 'Mapping');
    expect(mapping?.specSchema).toBeDefined();
    const crd = buildCrd(mapping!) as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: SchemaNode } } } }> };
    };
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec;
    expect(spec.properties.prefix).toMatchObject({ type: 'string', minLength: 1 });
    expect(spec.required).toContain('prefix');
    expect(spec['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it(`deploy/${generatedCrdFile} is up to date (UPDATE_GOLDEN=1 regenerates it)`, () => {
    const target = join(deployDir, generatedCrdFile);
    const expected = renderCrds();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(target, expected);
    expect(
      readFileSync(target, 'utf8'),
      `deploy/${generatedCrdFile} is stale: run UPDATE_GOLDEN=1 npx vitest run tools/crdgen`,
    ).toBe(expected);
  });
});
