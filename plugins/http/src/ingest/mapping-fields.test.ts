import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { MappingSpec } from '../schemas/mapping.js';
import { mappingFieldsOf, ownRecordFields, recordFields, unreadFields } from './mapping-fields.js';

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
      // The common fields always its own, in order (one shape for specs that set no other), then
      // the rare fields the spec sets; every field read as the spec has it.
      const own = Object.keys(fields);
      expect(own.slice(0, ownRecordFields.length)).toEqual(ownRecordFields);
      expect(own.slice(ownRecordFields.length)).toEqual(
        Object.keys(spec).filter((k) => read.includes(k) && !ownRecordFields.includes(k)),
      );
      for (const name of read) expect(fields[name], name).toBe(spec[name]);
      for (const name of [...extra, ...unreadFields]) expect(Object.hasOwn(fields, name), name).toBe(false);
    }
  });

  it('lists every field the passes read, once', () => {
    expect([...recordFields].sort()).toEqual([...read].sort());
    expect(new Set(recordFields).size).toBe(recordFields.length);
  });

  it('keeps records apart: a rare field set on one is not seen on another', () => {
    const a = mappingFieldsOf({ prefix: '/a/', service: 'a', cors: { origins: ['x'] } } as MappingSpec);
    const b = mappingFieldsOf({ prefix: '/b/', service: 'b' } as MappingSpec);
    expect(a.cors).toEqual({ origins: ['x'] });
    expect(b.cors).toBeUndefined();
    expect(Object.hasOwn(b, 'cors')).toBe(false);
  });

  it('reads own fields only', () => {
    const inherited = Object.create({ prefix: '/inherited/' }) as Record<string, unknown>;
    inherited.service = 's';
    const fields = mappingFieldsOf(inherited as MappingSpec);
    expect(fields.service).toBe('s');
    expect(fields.prefix).toBeUndefined();
  });
});
