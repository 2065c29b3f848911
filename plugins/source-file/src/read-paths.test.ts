import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMapMount } from './configmap-layout.test-helper.js';
import { nodeListingFs } from './list-files.js';
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

  it('reads a ConfigMap mounted as a directory (files linked through ..data), each file once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    configMapMount(dir, { 'a.yaml': svc('a'), 'b.yaml': svc('b') });
    const { resources, diagnostics } = readResourcesFromPaths([dir]);
    expect(diagnostics).toEqual([]);
    expect(resources.map((r) => [r.resource.metadata.name, r.origin.file])).toEqual([
      ['a', join(dir, 'a.yaml')],
      ['b', join(dir, 'b.yaml')],
    ]);
  });

  it('follows a linked directory, and reports a link loop once as a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'attache-read-'));
    writeFileSync(join(elsewhere, 'x.yaml'), svc('x'));
    symlinkSync(elsewhere, join(dir, 'team'));
    symlinkSync(dir, join(elsewhere, 'up')); // team/up leads back to the directory being read
    symlinkSync(dir, join(dir, 'self')); // self → dir, which is being read
    symlinkSync('itself.yaml', join(dir, 'itself.yaml'));
    const { resources, diagnostics } = readResourcesFromPaths([dir]);
    expect(resources.map((r) => r.resource.metadata.name)).toEqual(['x']);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['SOURCE_WARNING', 'warning'],
      ['SOURCE_WARNING', 'warning'],
      ['SOURCE_WARNING', 'warning'],
    ]);
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/self: symbolic link loop/);
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/team\/up: symbolic link loop/);
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/itself\.yaml: symbolic link loop/);
  });

  it('warns when a path exists but holds no resources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    writeFileSync(join(dir, 'notes.txt'), svc('ignored'));
    const { resources, diagnostics } = readResourcesFromPaths([dir]);
    expect(resources).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['SOURCE_WARNING']);
    expect(diagnostics[0]!.message).toMatch(/holds no resources/);
    // A file that fails already says so: no second warning for it.
    writeFileSync(join(dir, 'broken.yaml'), 'kind: [\n');
    expect(readResourcesFromPaths([dir]).diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR']);
  });

  it('reports a directory it cannot list as an error, and reads the rest', () => {
    // Root ignores file modes, so the unreadable directory is simulated at the fs layer.
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked', 'l.yaml'), svc('locked'));
    writeFileSync(join(dir, 'open.yaml'), svc('open'));
    const fs = {
      ...nodeListingFs,
      readdirSync: (path: string) => {
        if (path === join(dir, 'locked')) {
          throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' });
        }
        return nodeListingFs.readdirSync(path);
      },
    };
    const { resources, diagnostics } = readResourcesFromPaths([dir], process.cwd(), fs);
    expect(resources.map((r) => r.resource.metadata.name)).toEqual(['open']);
    expect(diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(diagnostics[0]!.message).toMatch(/locked: cannot list the directory: EACCES/);
  });

  it('refuses a file that is not UTF-8, naming line and column, instead of reading U+FFFD', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-read-'));
    const bytes = Buffer.concat([
      Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: caf'),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from('\n'),
    ]);
    writeFileSync(join(dir, 'latin1.yaml'), bytes);
    const { resources, diagnostics } = readResourcesFromPaths([dir]);
    expect(resources).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['SOURCE_ERROR']);
    expect(diagnostics[0]!.message).toMatch(/latin1\.yaml:4:12: the file is not valid UTF-8 \(byte 0xe9\)/);
  });
});
