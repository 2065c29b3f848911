import { readdirSync, readFileSync } from 'node:fs';
import { seededRandom } from '@attache/core';
import { type DescMessage, ScalarType as ProtobufScalarType } from '@bufbuild/protobuf';
import { isWrapperDesc as protobufIsWrapperDesc } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { fastDescriptors, parseFastDescriptorTable } from './fast-descriptors.js';
import { isWrapperDesc, protobuf, ScalarType } from './protobuf-runtime.js';
import { envoyRegistry } from './registry.js';

describe('protobuf-runtime', () => {
  it('ScalarType holds the values of @bufbuild/protobuf’s, name for name', () => {
    const names = Object.keys(ProtobufScalarType).filter((k) => Number.isNaN(Number(k)));
    expect(Object.keys(ScalarType).sort()).toEqual(names.sort());
    for (const name of names) {
      expect(ScalarType[name as keyof typeof ScalarType], name).toBe(
        ProtobufScalarType[name as keyof typeof ProtobufScalarType],
      );
    }
  });

  it('isWrapperDesc says what @bufbuild/protobuf’s says: every message of the set and of the table, and random look-alikes (fixed seed)', () => {
    const names = parseFastDescriptorTable(
      readFileSync(new URL('../gen/envoy-fast.json', import.meta.url), 'latin1'),
    ).messageNames();
    const table = fastDescriptors();
    const messages: DescMessage[] = [
      ...names.map((name) => envoyRegistry.getMessage(name)!),
      ...names.map((name) => table.message(name)!),
    ];
    expect(messages.length).toBeGreaterThan(1000);
    expect(messages.filter((m) => isWrapperDesc(m)).length).toBeGreaterThanOrEqual(18);
    const random = seededRandom(1603);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const typeNames = [
      'google.protobuf.UInt32Value',
      'google.protobuf.BoolValue',
      'google.protobuf.BytesValue',
      'google.protobuf.Duration',
      'google.protobuf.ValueX',
      'envoy.UInt32Value',
      'UInt32Value',
    ];
    for (let i = 0; i < 3000; i++) {
      const fields =
        random() < 0.1
          ? []
          : [
              {
                fieldKind: pick(['scalar', 'message', 'enum', 'list']),
                name: pick(['value', 'values', 'Value']),
                number: pick([1, 2, 0]),
              },
            ];
      messages.push({ typeName: pick(typeNames), fields } as unknown as DescMessage);
    }
    for (const desc of messages) {
      expect(isWrapperDesc(desc), desc.typeName).toBe(protobufIsWrapperDesc(desc));
    }
  });

  it('gives one copy of the package, the same on every call', () => {
    expect(protobuf()).toBe(protobuf());
    expect(typeof protobuf().fromJson).toBe('function');
  });

  it('is the only module here that imports values of @bufbuild/protobuf (the others import types)', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing'),
    );
    const valueImports: string[] = [];
    for (const file of sources) {
      if (file === 'protobuf-runtime.ts') continue;
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'@bufbuild\/protobuf[^']*';/gms)) {
        if (!m[1]) valueImports.push(`${file}: ${m[0].replace(/\s+/g, ' ')}`);
      }
    }
    expect(sources.length).toBeGreaterThan(40);
    expect(valueImports).toEqual([]);
  });
});
