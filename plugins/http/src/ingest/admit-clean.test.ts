import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type PassContext, seededRandom } from '@attache/core';
import { resourcesFromYaml } from '@attache/testkit';
import { Kind, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { httpSpecSchemas } from '../index.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { admitter } from './admit.js';
import { cleanSpecCheck } from './clean-spec.js';
import { mappingFieldsOf, mappingRecord, unreadFields } from './mapping-fields.js';
import { simpleCheckOf } from './schema-checks.js';

const dir = fileURLToPath(new URL('../testdata', import.meta.url));

/** Every golden input's Mapping specs: the shapes users write. */
const goldenSpecs = readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .flatMap((f) => resourcesFromYaml(readFileSync(`${dir}/${f}`, 'utf8'), f))
  .map((s) => s.resource as { kind: string; spec?: unknown })
  .filter(
    (r) => r.kind === 'Mapping' && r.spec !== null && typeof r.spec === 'object' && !Array.isArray(r.spec),
  )
  .map((r) => r.spec as Record<string, unknown>);

const read = Object.keys(httpSpecSchemas.Mapping.properties).filter(
  (f) => !(unreadFields as readonly string[]).includes(f),
);

/** Characters reportBadStrings looks at, some it reports and some it lets through. */
const oddCharacters = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\t',
  '\n',
  '\r',
  '\ud800',
  '\udfff',
  '\ufffd',
  '\u0085',
];

/** Nested values with keys the schema does not know, and values of the wrong type. */
const oddValues: Array<[string, unknown]> = [
  ['retry_policy', { retry_on: '5xx', bogus: 1 }],
  ['load_balancer', { policy: 'round_robin', polcy: 'x' }],
  ['load_balancer', { policy: 'ring_hash', cookie: { name: 'c', tll: '1s' } }],
  ['circuit_breakers', [{ max_conections: 1 }]],
  ['circuit_breakers', [{ max_connections: 1, priority: 'high' }]],
  ['cors', { origins: ['a'], credential: true }],
  ['health_checks', [{ health_check: { http: { path: '/h', hostnam: 'x' } } }]],
  [
    'health_checks',
    [{ health_check: { http: { path: '/h', expected_statuses: [{ min: 200, max: 299 }] } } }],
  ],
  ['add_request_headers', { 'x-a': { value: 'v', append: false, extra: 1 } }],
  ['add_request_headers', { 'x-a': 'v', 'x-b': { value: 'w' } }],
  ['headers', { 'x-a': 1 }],
  ['regex_rewrite', { pattern: 'a', substitution: 'b', flags: 'i' }],
  ['error_response_overrides', [{ on_status_code: 404, body: { text_format: 'x', json: 1 } }]],
  ['labels', { ambassador: [{ request_label_group: ['remote_address'] }] }],
  ['timeout_ms', 'soon'],
  ['allow_upgrade', ['websocket', 3]],
  ['shadow', 'yes'],
  ['not_a_field', 1],
  ['timout_ms', 10],
  ['x_registered', { anything: true }],
];

/** A copy of `value` with one random string (or key) somewhere in it given an odd character. */
function withOddCharacter(value: unknown, random: () => number): unknown {
  const odd = oddCharacters[Math.floor(random() * oddCharacters.length)]!;
  if (typeof value === 'string') return random() < 0.5 ? `${value}${odd}` : `${odd}${value}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return [odd];
    const i = Math.floor(random() * value.length);
    return value.map((v, j) => (j === i ? withOddCharacter(v, random) : v));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return { [`k${odd}`]: 'v' };
    const at = keys[Math.floor(random() * keys.length)]!;
    const out: Record<string, unknown> = {};
    const renameKey = random() < 0.3;
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (k !== at) out[k] = v;
      else if (renameKey) out[`${k}${odd}`] = v;
      else out[k] = withOddCharacter(v, random);
    }
    return out;
  }
  return value;
}

function admitAll(
  specs: ReadonlyArray<{ apiVersion: string; spec: Record<string, unknown> }>,
  fullPath: boolean,
) {
  const reports: unknown[] = [];
  const registered = [{ path: 'x_registered', plugin: 'test', loaded: true }];
  const ctx = {
    options: {},
    fields: () => registered,
    report: (d: unknown) => reports.push(d),
  } as unknown as PassContext;
  // A leaveAlone that leaves nothing alone turns the clean-spec walk off and changes nothing else.
  const { one } = admitter<MappingSpec>(
    ctx,
    'Mapping',
    httpSpecSchemas.Mapping,
    { prefix: 'MAPPING_PREFIX_MISSING', service: 'MAPPING_SERVICE_MISSING' },
    fullPath ? { leaveAlone: () => false } : {},
    mappingRecord,
  );
  const admitted = specs.map((s, i) =>
    one({
      resource: {
        apiVersion: s.apiVersion,
        kind: 'Mapping',
        metadata: { name: `m${i}`, namespace: 'default' },
        spec: s.spec,
      },
      origin: { file: 'm.yaml', index: i },
    } as never),
  );
  return { admitted, reports };
}

describe('the clean-spec front door', () => {
  it('admits and reports as the full path does, over random Mappings, and fills the record as mappingFieldsOf', () => {
    expect(goldenSpecs.length).toBeGreaterThan(50);
    const random = seededRandom(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let fast = 0;
    let full = 0;
    let refused = 0;
    for (let round = 0; round < 30; round++) {
      const specs: Array<{ apiVersion: string; spec: Record<string, unknown> }> = [];
      for (let i = 0; i < 60; i++) {
        const spec: Record<string, unknown> = { ...pick(goldenSpecs) };
        const r = random();
        if (r < 0.15) {
          const [key, value] = pick(oddValues);
          spec[key] = value;
        } else if (r < 0.3) {
          const keys = Object.keys(spec);
          const key = pick(keys);
          spec[key] = withOddCharacter(spec[key], random);
        } else if (r < 0.35) {
          spec[pick(read)] = undefined;
        } else if (r < 0.38) {
          delete spec[pick(['prefix', 'service'])];
        } else if (r < 0.41) {
          spec[pick(read)] = pick(goldenSpecs.flatMap((s) => Object.values(s)));
        }
        const apiVersion = random() < 0.05 ? 'getambassador.io/v2' : 'getambassador.io/v3alpha1';
        specs.push({ apiVersion, spec });
      }
      const withClean = admitAll(specs, false);
      const withoutClean = admitAll(specs, true);
      expect(withClean.reports).toEqual(withoutClean.reports);
      for (let i = 0; i < specs.length; i++) {
        const a = withClean.admitted[i];
        const b = withoutClean.admitted[i];
        expect(b?.fields).toBeUndefined();
        if (a === undefined || b === undefined) {
          expect(a, JSON.stringify(specs[i])).toBe(b);
          refused++;
          continue;
        }
        const { fields, ...rest } = a;
        expect(rest).toEqual(b);
        if (fields === undefined) {
          full++;
          continue;
        }
        fast++;
        // The record mappingFieldsOf makes: the same own fields in the same order, the spec's values.
        expect(Object.keys(fields)).toEqual(Object.keys(mappingFieldsOf(a.spec)));
        const expected = mappingFieldsOf(a.spec) as unknown as Record<string, unknown>;
        for (const name of read) expect(fields[name], name).toBe(expected[name]);
      }
    }
    // Both paths taken often: admitted clean, admitted by the full path (tabs, registered fields,
    // v2), and refused (unknown fields do not refuse; bad strings and schema errors do).
    expect(fast).toBeGreaterThan(800);
    expect(full).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(100);
  });

  it('says clean only when nothing would be reported and the spec is valid', () => {
    const clean = cleanSpecCheck(httpSpecSchemas.Mapping)!;
    expect(clean({ prefix: '/a/', service: 's' })).toBe(true);
    expect(clean({ prefix: '/a/', service: 's', headers: { 'x-a': 'one\ttwo' } })).toBe(false);
    expect(clean({ prefix: '/a/', service: 's', not_a_field: 1 })).toBe(false);
    expect(clean({ prefix: '/a/', service: 's', retry_policy: { retry_on: '5xx', bogus: 1 } })).toBe(false);
    expect(clean({ prefix: '/a/', service: 's', retry_policy: { retry_on: '5xx', num_retries: 2 } })).toBe(
      true,
    );
    expect(clean({ prefix: '/a/' })).toBe(false);
    expect(clean({ prefix: '/a/', service: 's', timeout_ms: 'soon' })).toBe(false);
    expect(clean({ prefix: '/a/', service: 's', add_request_headers: { 'x-\u0000': 'v' } })).toBe(false);
    expect(clean({ prefix: '/a/', service: 's', timeout_ms: undefined })).toBe(true);
  });
});

describe('the clean-spec front door, on a schema of every shape', () => {
  // Typed map values, lists of objects, unions of one and of two object shapes, free-form and closed objects.
  const schema = Type.Object(
    {
      name: Type.String(),
      rec: Type.Optional(
        Type.Record(
          Type.String(),
          Type.Object({
            a: Type.Optional(Type.Number()),
            b: Type.Optional(Type.Object({ c: Type.Optional(Type.String()) })),
          }),
        ),
      ),
      strings: Type.Optional(Type.Record(Type.String(), Type.String())),
      list: Type.Optional(Type.Array(Type.Object({ x: Type.Optional(Type.String()) }))),
      either: Type.Optional(Type.Union([Type.String(), Type.Object({ y: Type.Optional(Type.String()) })])),
      both: Type.Optional(
        Type.Union([
          Type.Object({ p: Type.Optional(Type.String()) }),
          Type.Record(Type.String(), Type.String()),
        ]),
      ),
      free: Type.Optional(Type.Object({}, { 'x-kubernetes-preserve-unknown-fields': true })),
      closed: Type.Optional(
        Type.Object({ z: Type.Optional(Type.String()) }, { additionalProperties: false }),
      ),
    },
    { description: 'a test kind' },
  );

  const samples: Record<string, unknown[]> = {
    name: ['n', 3],
    rec: [
      { k: { a: 1 } },
      { k: { a: 1, b: { c: 'v' } } },
      { k: { q: 1 } },
      { k: { b: { d: 'v' } } },
      { k: 'x' },
    ],
    strings: [{ k: 'v' }, { k: 1 }, { k: { deep: 'v' } }],
    list: [[{ x: 'v' }], [{ x: 'v' }, { w: 'v' }], ['s'], { x: 'v' }],
    either: ['s', { y: 'v' }, { y: 'v', u: 1 }, [1]],
    both: [{ p: 'v' }, { q: 'v' }, { p: 1 }],
    free: [{ any: { thing: ['at', 'all'] } }],
    closed: [{ z: 'v' }, { z: 'v', extra: 1 }],
  };

  it('admits and reports as the full path does, over random specs', () => {
    const random = seededRandom(16);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const run = (specs: Array<Record<string, unknown>>, fullPath: boolean) => {
      const reports: unknown[] = [];
      const ctx = {
        options: {},
        fields: () => [],
        report: (d: unknown) => reports.push(d),
      } as unknown as PassContext;
      const { one } = admitter(ctx, 'Thing', schema, {}, fullPath ? { leaveAlone: () => false } : {});
      const admitted = specs.map((spec, i) =>
        one({
          resource: {
            apiVersion: 'getambassador.io/v3alpha1',
            kind: 'Thing',
            metadata: { name: `t${i}`, namespace: 'default' },
            spec,
          },
          origin: { file: 't.yaml', index: i },
        } as never),
      );
      return { admitted, reports };
    };
    let clean = 0;
    let reported = 0;
    for (let round = 0; round < 20; round++) {
      const specs: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 100; i++) {
        const spec: Record<string, unknown> = {};
        for (const key of Object.keys(samples)) if (random() < 0.4) spec[key] = pick(samples[key]!);
        if (random() < 0.8) spec.name = 'n';
        if (random() < 0.2) {
          const keys = Object.keys(spec);
          if (keys.length > 0) {
            const key = pick(keys);
            spec[key] = withOddCharacter(spec[key], random);
          }
        }
        specs.push(spec);
      }
      const a = run(specs, false);
      const b = run(specs, true);
      expect(a.reports).toEqual(b.reports);
      expect(a.admitted).toEqual(b.admitted);
      const check = cleanSpecCheck(schema)!;
      for (const spec of specs) if (check(spec)) clean++;
      reported += a.reports.length;
    }
    expect(clean).toBeGreaterThan(100);
    expect(reported).toBeGreaterThan(300);
  });
});

describe('simple property checks', () => {
  /** Every declared property schema of the http kinds (and their nested ones): those with a simple check. */
  const schemas: TSchema[] = [];
  const collect = (schema: TSchema) => {
    schemas.push(schema);
    for (const child of Object.values((schema.properties ?? {}) as Record<string, TSchema>)) collect(child);
    for (const child of Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>))
      collect(child);
    if (schema.items) collect(schema.items as TSchema);
    for (const child of (schema.anyOf ?? []) as TSchema[]) collect(child);
  };
  for (const schema of Object.values(httpSpecSchemas)) collect(schema);
  // Bounds TypeBox reads, and keys it does not, on schemas of each simple kind.
  const extra: TSchema[] = [
    Type.String({ minLength: 2, maxLength: 4 }),
    Type.Integer({ minimum: -3, maximum: 3 }),
    Type.Integer({ exclusiveMinimum: 0, exclusiveMaximum: 10 }),
    Type.Number({ minimum: 0.5, exclusiveMaximum: 2.5 }),
    Type.Number(),
    Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    Type.Record(Type.String({ pattern: '^x-' }), Type.String()),
    Type.String({ pattern: '^a' }),
    Type.Object({ a: Type.String(), b: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
    Type.Integer({ multipleOf: 2 }),
    Type.Record(Type.String(), Type.String(), { minProperties: 1 }),
  ];
  schemas.push(...extra);

  const values = (random: () => number): unknown => {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const scalars: unknown[] = [
      '',
      'a',
      'ab',
      'abcd',
      'abcde',
      'x-a',
      'line\nbreak',
      0,
      1,
      -1,
      2,
      2.5,
      3,
      -3,
      4,
      10,
      0.5,
      1e21,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      true,
      false,
      null,
      undefined,
      new Date(0),
      new Uint8Array(2),
      [],
      ['a'],
      Object.create(null),
    ];
    const r = random();
    if (r < 0.6) return pick(scalars);
    const out: Record<string, unknown> = r < 0.7 ? (Object.create(null) as Record<string, unknown>) : {};
    for (let n = Math.floor(random() * 4); n > 0; n--)
      out[pick(['a', 'x-a', '', 'x-\nb', 'b c', '__proto__x'])] = pick(scalars);
    return out;
  };

  /** A value for `schema`: often one it allows, sometimes a near miss or anything at all. */
  const sample = (schema: TSchema, random: () => number): unknown => {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    if (random() < 0.15) return values(random);
    switch (schema[Kind]) {
      case 'String': {
        const listed = schema.enum as string[] | undefined;
        if (listed && random() < 0.8) return pick(listed);
        return pick(['', 'a', 'abc', '1s', '250ms', ' 2h ', 'x-a', '5xx', 'high', 'round_robin']);
      }
      case 'Integer':
        return pick([0, 1, 5, 100, -1, 2.5, 4294967295, 4294967296]);
      case 'Number':
        return pick([0, 1.5, -2, Number.NaN]);
      case 'Boolean':
        return random() < 0.9 ? random() < 0.5 : 'true';
      case 'Array':
        return Array.from({ length: Math.floor(random() * 3) }, () =>
          sample(schema.items as TSchema, random),
        );
      case 'Record': {
        const valueSchema = Object.values(schema.patternProperties as Record<string, TSchema>)[0]!;
        const out: Record<string, unknown> = {};
        for (let n = Math.floor(random() * 3); n > 0; n--)
          out[pick(['a', 'x-a', 'b\nc'])] = sample(valueSchema, random);
        return out;
      }
      case 'Object': {
        const out: Record<string, unknown> = {};
        const required = (schema.required ?? []) as string[];
        for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>))
          if (required.includes(key) ? random() < 0.95 : random() < 0.4) out[key] = sample(property, random);
        if (random() < 0.1) out.extra = 1;
        return out;
      }
      default:
        return values(random);
    }
  };

  it('say true only where the compiled check says true, and often', () => {
    const random = seededRandom(17);
    let simple = 0;
    let said = 0;
    for (const schema of schemas) {
      const check = simpleCheckOf(schema);
      if (check === null) continue;
      simple++;
      const compiled = TypeCompiler.Compile(schema);
      let trueHere = 0;
      for (let i = 0; i < 400; i++) {
        const value = random() < 0.3 ? values(random) : sample(schema, random);
        if (!check(value)) continue;
        trueHere++;
        const shown =
          typeof value === 'object' && value !== null ? JSON.stringify(Object.entries(value)) : String(value);
        expect(compiled.Check(value), `${JSON.stringify(schema)} ${shown}`).toBe(true);
      }
      said += trueHere > 0 ? 1 : 0;
    }
    expect(simple).toBeGreaterThan(60);
    expect(said).toBeGreaterThan(simple * 0.9);
    // Schemas with a rule the simple checks do not read (closed objects, multipleOf, minProperties)
    // are left to the compiled check.
    expect(extra.slice(-3).map((s) => simpleCheckOf(s))).toEqual([null, null, null]);
  });
});
