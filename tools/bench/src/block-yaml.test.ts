import { parseResourceFile } from '@attache/plugin-source-file';
import { describe, expect, it } from 'vitest';
import { blockYaml } from './block-yaml.js';
import { generateCompileInputs } from './compile-inputs.js';

describe('blockYaml', () => {
  it('writes block YAML that reads back as the same data (the generated inputs, and awkward values)', () => {
    const resources = generateCompileInputs({ hosts: 3, mappings: 60 }).resources.map((r) => r.resource);
    const awkward = {
      apiVersion: 'v1',
      kind: 'Awkward',
      metadata: { name: 'x' },
      spec: {
        empty: [],
        none: {},
        nested: [[1, 'two'], [], [{ a: [] }]],
        strings: [
          'true',
          'null',
          '1.5',
          '0x1F',
          '',
          ' lead',
          'a: b',
          '- x',
          '#c',
          "it's",
          'line\nbreak',
          '*',
          'ü',
        ],
        numbers: [0, -1, 1.5, 1e21],
        flags: [true, false, null],
        'key with space': 1,
        '': 'empty key',
      },
    };
    const values = [...resources, awkward];
    const text = values.map((v) => `---\n${blockYaml(v)}`).join('');
    expect(text).toMatch(/^ {2}prefix: \/|^ {2}hostname: /m);
    const parsed = parseResourceFile('bench.yaml', text);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.resources.map((r) => r.resource)).toEqual(values);
  });
});
