import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  documentedFields,
  exampleSpecsOfKind,
  fieldCoverage,
  schemaFieldPaths,
  setsField,
} from './field-coverage.js';

const testdata = fileURLToPath(new URL('./testdata/field-coverage', import.meta.url));

/** A TypeBox-shaped schema: size, colour, legacy, parts[].label, parts[].weight. */
const schema = {
  type: 'object',
  properties: {
    size: { type: 'integer' },
    colour: { type: 'string' },
    legacy: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    parts: {
      type: 'array',
      items: { type: 'object', properties: { label: { type: 'string' }, weight: { type: 'integer' } } },
    },
  },
};

const page = [
  '| Field | Meaning |',
  '| --- | --- |',
  '| `size` | how big |',
  '| `parts[].label` | a name |',
  '| `colour` | |',
  '',
  '```yaml',
  'kind: Widget',
  'spec: { size: 1 }',
  '---',
  'kind: Gadget',
  'spec: { size: 2 }',
  '```',
].join('\n');

describe('field coverage', () => {
  it('lists leaf fields, walking into lists of objects only', () => {
    expect(schemaFieldPaths(schema)).toEqual([
      'size',
      'colour',
      'legacy',
      'tags',
      'parts[].label',
      'parts[].weight',
    ]);
  });

  it('reads documented fields from table rows that have a description', () => {
    expect([...documentedFields(page)]).toEqual(['size', 'parts[].label']);
  });

  it('finds a field set in any item of a list', () => {
    expect(setsField({ parts: [{}, { label: 'x' }] }, 'parts[].label')).toBe(true);
    expect(setsField({ parts: [{ weight: 1 }] }, 'parts[].label')).toBe(false);
    expect(setsField({ size: 0 }, 'size')).toBe(true);
  });

  it('takes examples of the kind only', () => {
    expect(exampleSpecsOfKind(page, 'Widget')).toEqual([{ size: 1 }]);
  });

  it('counts only v3alpha1 goldens without an error, and flags stale allow-list entries', () => {
    const coverage = fieldCoverage({
      kind: 'Widget',
      schema,
      page,
      testdata,
      goldenAllowList: { tags: 'no output shows it', size: 'stale: a golden sets it' },
    });
    expect(coverage.undocumented).toEqual(['colour', 'legacy', 'tags', 'parts[].weight']);
    // colour is only set by the broken Widget, legacy only by a v2 one.
    expect(coverage.untested).toEqual(['colour', 'legacy', 'parts[].weight']);
    expect(coverage.staleAllowed).toEqual(['size']);
  });
});
