import { describe, expect, it } from 'vitest';
import { maxExpandedValues, parseResourceFile } from './parse-documents.js';

/** Nested lists, each level aliasing the one below `width` times: width^(levels-1) values once expanded. */
function laughs(levels: number, width: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: lol }', 'data:', '  l0: &l0 "lol"'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `  l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

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

  it('reads a legitimate file that references one anchor thousands of times', () => {
    // Documents cannot share anchors, so the many aliases live in one List.
    const items = Array.from(
      { length: 2000 },
      (_, i) => `  - { apiVersion: v1, kind: Service, metadata: { name: s${i}, labels: *labels } }`,
    );
    const text = `apiVersion: v1\nkind: List\nlabels: &labels { team: a, tier: web }\nitems:\n${items.join('\n')}\n`;
    const parsed = parseResourceFile('many.yaml', text);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.resources).toHaveLength(2000);
    expect(parsed.resources[1999]!.resource.metadata.labels).toEqual({ team: 'a', tier: 'web' });
  });

  it('refuses a billion-laughs document with one SOURCE_ERROR naming the file, never an exception', () => {
    const parsed = parseResourceFile('bomb.yaml', laughs(10, 10));
    expect(parsed.syntaxError).toBe(true);
    expect(parsed.resources).toEqual([]);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(parsed.diagnostics[0]!.message).toMatch(/^bomb\.yaml:1: .*aliases/);
  });

  it('refuses a large block aliased a few hundred times once it expands past the bound', () => {
    const block = Array.from({ length: 5000 }, (_, i) => i).join(', ');
    const refs = Array(300).fill('*big').join(', ');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: wide }\ndata:\n  big: &big [${block}]\n  copies: [${refs}]\n`;
    expect(5000 * 300).toBeGreaterThan(maxExpandedValues);
    const parsed = parseResourceFile('wide.yaml', text);
    expect(parsed.syntaxError).toBe(true);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(parsed.diagnostics[0]!.message).toMatch(/^wide\.yaml:1: .*expands/);
    // The same block aliased 100 times stays under the bound and is read.
    const fewer = text.replace(refs, Array(100).fill('*big').join(', '));
    expect(parseResourceFile('wide.yaml', fewer).diagnostics).toEqual([]);
  });

  it('reports an alias to an anchor that does not exist as a SOURCE_ERROR on the file', () => {
    const parsed = parseResourceFile('dangling.yaml', 'apiVersion: v1\nkind: Service\nmetadata: *nowhere\n');
    expect(parsed.syntaxError).toBe(true);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(parsed.diagnostics[0]!.message).toMatch(/^dangling\.yaml:\d+/);
  });

  it('reads YAML 1.1 tags (!!set, !!omap, !!timestamp, !!binary) as plain data with a warning each, never as a Set/Map/Date/bytes', () => {
    const text = [
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'metadata: { name: tagged, namespace: default }',
      'spec:',
      '  prefix: /t/',
      '  service: t',
      '  headers: !!omap [ {x-a: "1"} ]',
      '  ambassador_id: !!set {default}',
      '  docs: { created: !!timestamp 2001-12-14, blob: !!binary aGk= }',
      '',
    ].join('\n');
    const parsed = parseResourceFile('tags.yaml', text);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(Array(4).fill('SOURCE_WARNING'));
    expect(parsed.diagnostics[0]?.message).toMatch(/^tags\.yaml:7:\d+: the YAML tag !!omap/);
    const spec = parsed.resources[0]?.resource.spec as Record<string, unknown>;
    expect(spec.headers).toEqual([{ 'x-a': '1' }]);
    expect(spec.ambassador_id).toEqual({ default: null });
    expect(spec.docs).toEqual({ created: '2001-12-14', blob: 'aGk=' });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });
});
