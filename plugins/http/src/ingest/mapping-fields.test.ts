import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { MappingSpec } from '../schemas/mapping.js';
import { mappingFieldsOf, unreadFields } from './mapping-fields.js';

const declared = Object.keys(MappingSpec.properties);
const read = declared.filter((f) => !(unreadFields as readonly string[]).includes(f));

describe('mappingFieldsOf', () => {
  it('reads every declared field as the spec does, for random specs in any key order, and nothing else', () => {
    const random = seededRandom(15);
    const next = (n: number) => Math.floor(random() * n);
    const values: unknown[] = [
      '/a/',
      '',
      'svc:80',
      0,
      7,
      true,
      false,
      null,
      undefined,
      { x: '1' },
      ['a'],
      [],
    ];
    const extra = ['grpc_service', 'auth_service', 'unknown_field', 'constructor', 'toString'];
    for (let round = 0; round < 3000; round++) {
      const spec: Record<string, unknown> = {};
      const names = [...declared, ...extra];
      for (let k = next(12); k > 0; k--) {
        const name = names.splice(next(names.length), 1)[0]!;
        spec[name] = values[next(values.length)];
      }
      const fields = mappingFieldsOf(spec as MappingSpec) as unknown as Record<string, unknown>;
      // One shape: the declared fields the passes read, in the schema's order, whatever the spec holds.
      expect(Object.keys(fields)).toEqual(read);
      for (const name of read) expect(fields[name], name).toBe(spec[name]);
      for (const name of [...extra, ...unreadFields]) expect(Object.hasOwn(fields, name), name).toBe(false);
    }
  });

  it('reads own fields only', () => {
    const inherited = Object.create({ prefix: '/inherited/' }) as Record<string, unknown>;
    inherited.service = 's';
    const fields = mappingFieldsOf(inherited as MappingSpec);
    expect(fields.service).toBe('s');
    expect(fields.prefix).toBeUndefined();
  });
});
