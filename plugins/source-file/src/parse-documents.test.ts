import { describe, expect, it } from 'vitest';
import { parseResourceFile } from './parse-documents.js';

describe('parseResourceFile', () => {
  it('reads every document with the line its object starts on', () => {
    const text = [
      '# a leading comment',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: s }',
      '---',
      '',
      '# the quote service',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'metadata: { name: quote }',
      '---',
    ].join('\n');
    const parsed = parseResourceFile('a.yaml', text);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.resources.map((r) => [r.resource.kind, r.origin])).toEqual([
      ['Secret', { source: 'source-file', file: 'a.yaml', line: 3 }],
      ['Mapping', { source: 'source-file', file: 'a.yaml', line: 9 }],
    ]);
  });

  it('unpacks a List into its items, each with its own line', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: { name: a }\n  - apiVersion: v1\n    kind: Service\n    metadata: { name: b }\n';
    const parsed = parseResourceFile('list.yaml', text);
    expect(parsed.resources.map((r) => [r.resource.metadata.name, r.origin.line])).toEqual([
      ['a', 4],
      ['b', 7],
    ]);
  });

  it('reads JSON', () => {
    const parsed = parseResourceFile(
      'x.json',
      '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "svc"}\n}\n',
    );
    expect(parsed.resources.map((r) => r.resource.metadata.name)).toEqual(['svc']);
  });

  it('fails the whole file on a syntax error, naming file and line', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: { name: ok }\n---\napiVersion: v1\nkind: [Service\nmetadata: x\n';
    const parsed = parseResourceFile('bad.yaml', text);
    expect(parsed.syntaxError).toBe(true);
    expect(parsed.resources).toEqual([]);
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]!.code).toBe('SOURCE_ERROR');
    expect(parsed.diagnostics[0]!.message).toMatch(/^bad\.yaml:7:\d+: /);
  });

  it('reports a document that is not an object but keeps the others', () => {
    const parsed = parseResourceFile(
      'odd.yaml',
      '- 1\n- 2\n---\napiVersion: v1\nkind: Service\nmetadata: { name: s }\n',
    );
    expect(parsed.syntaxError).toBe(false);
    expect(parsed.resources).toHaveLength(1);
    expect(parsed.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^odd\.yaml:1: the document is a list/),
    ]);
  });
});
