import { compile, type Resource, type StoredResource, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });

/** The fields whose entries are named (headers, query parameters): an entry named "" is refused. */
const namedMaps = [
  'headers',
  'regex_headers',
  'query_parameters',
  'regex_query_parameters',
  'add_request_headers',
  'add_response_headers',
];
const others: Record<string, unknown> = { hostname: '*', rewrite: '', timeout_ms: 100, weight: 10 };

describe('ingest-mappings: header and query parameter maps with an entry named ""', () => {
  it('reports each such field, for random specs with the fields in any order', () => {
    const random = seededRandom(15);
    const next = (n: number) => Math.floor(random() * n);
    const resources: StoredResource[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 400; i++) {
      const name = `m${String(i).padStart(3, '0')}`;
      const spec: Record<string, unknown> = {};
      const fields = [...namedMaps, ...Object.keys(others), 'prefix', 'service'];
      // Fields in a random order (the order a user wrote them), most Mappings with a few.
      while (fields.length > 0) {
        const field = fields.splice(next(fields.length), 1)[0]!;
        if (field === 'prefix') spec.prefix = `/${name}/`;
        else if (field === 'service') spec.service = 'svc';
        else if (next(3) === 0) {
          if (!namedMaps.includes(field)) spec[field] = others[field];
          else {
            const entries = next(4) === 0 ? { x: '1', '': '2' } : next(2) === 0 ? { '': '1' } : { x: 'y' };
            spec[field] = field.startsWith('regex') ? { ...entries } : entries;
          }
        }
      }
      // The plain computation: every named map of the spec with an entry named "".
      for (const field of Object.keys(spec)) {
        const value = spec[field];
        if (namedMaps.includes(field) && Object.hasOwn(value as object, ''))
          expected.push(`${name} /spec/${field}/`);
      }
      resources.push(
        stored({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'Mapping',
          metadata: { name, namespace: 'default' },
          spec,
        }),
      );
    }
    const result = compile(resources, [httpPlugin]);
    const found = result.diagnostics
      .filter((d) => d.code === 'HTTP_SCHEMA_INVALID' && d.message.includes('an entry with an empty name'))
      .map((d) => `${d.resource?.name} ${d.path}`);
    // (Diagnostics come sorted by resource and path.)
    expect(found.sort()).toEqual(expected.sort());
    // Not vacuous: many Mappings have such a field, some more than one.
    expect(expected.length).toBeGreaterThan(100);
  });
});
