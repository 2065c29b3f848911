import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResourcesFromPaths } from './read-paths.js';

const svc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n`;

describe('readResourcesFromPaths', () => {
  it('reads directories recursively, sorted, only .yaml/.yml/.json, and single files as given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.yaml'), svc('b'));
    writeFileSync(join(dir, 'a.yml'), svc('a'));
    writeFileSync(
      join(dir, 'sub', 'c.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } }),
    );
    writeFileSync(join(dir, 'notes.txt'), svc('ignored'));
    writeFileSync(join(dir, '.hidden.yaml'), svc('hidden'));
    writeFileSync(join(dir, 'extra.conf'), svc('explicit'));
    const { resources, diagnostics } = readResourcesFromPaths([dir, join(dir, 'extra.conf')]);
    expect(diagnostics).toEqual([]);
    expect(resources.map((r) => r.resource.metadata.name)).toEqual(['a', 'b', 'explicit', 'c']);
    expect(resources[0]!.origin.line).toBe(1);
  });

  it('reports a missing path and a broken file, and still reads the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    writeFileSync(join(dir, 'good.yaml'), svc('good'));
    writeFileSync(join(dir, 'broken.yaml'), 'kind: [\n');
    const { resources, diagnostics } = readResourcesFromPaths([dir, join(dir, 'nope')]);
    expect(resources.map((r) => r.resource.metadata.name)).toEqual(['good']);
    expect(diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR', 'SOURCE_ERROR']);
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/broken\.yaml:\d+:\d+: /);
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/nope: no such file or directory/);
  });
});
