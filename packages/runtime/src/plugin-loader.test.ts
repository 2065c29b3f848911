import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPluginModule } from './plugin-loader.js';

// Plugins written as plain .mjs so they need no build; they mimic definePlugin's result shape.
const pluginSource = (id: string, how: 'default' | 'named') =>
  `const p = Object.freeze({ id: '${id}', register() {} });\n${how === 'default' ? 'export default p;' : 'export const plugin = p;'}\n`;

describe('loadPluginModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attache-loader-'));
  writeFileSync(join(dir, 'default.mjs'), pluginSource('by-default', 'default'));
  writeFileSync(join(dir, 'named.mjs'), pluginSource('by-name', 'named'));
  writeFileSync(join(dir, 'nothing.mjs'), 'export const x = 1;\n');
  const pkg = join(dir, 'node_modules', 'attache-plugin-demo');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'attache-plugin-demo',
      type: 'module',
      exports: { '.': { default: './dist/index.js' } },
    }),
  );
  writeFileSync(join(pkg, 'dist', 'index.js'), pluginSource('demo', 'default'));

  it('loads a default export by relative path', async () => {
    expect((await loadPluginModule('./default.mjs', { baseDir: dir })).id).toBe('by-default');
  });

  it('loads a `plugin` export', async () => {
    expect((await loadPluginModule(join(dir, 'named.mjs'), { baseDir: '/' })).id).toBe('by-name');
  });

  it('loads a package by name from node_modules above the config', async () => {
    expect((await loadPluginModule('attache-plugin-demo', { baseDir: dir })).id).toBe('demo');
  });

  it('loads a package directory by path through its exports', async () => {
    expect((await loadPluginModule('./node_modules/attache-plugin-demo', { baseDir: dir })).id).toBe('demo');
  });

  it('explains a module without a plugin, and a missing one', async () => {
    await expect(loadPluginModule('./nothing.mjs', { baseDir: dir })).rejects.toThrow(/exports no plugin/);
    await expect(loadPluginModule('./missing.mjs', { baseDir: dir })).rejects.toThrow(/not found/);
    await expect(loadPluginModule('attache-no-such-plugin', { baseDir: dir })).rejects.toThrow(
      /cannot load plugin module/,
    );
  });
});
