import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPlugin, type Plugin } from '@attache/core';
import { ConfigError } from './config.js';
import { importModule } from './import-module.js';

export interface LoadPluginOptions {
  /** Directory relative paths and package lookups start from (the config file's directory). */
  baseDir: string;
  /**
   * Export conditions to try, in order, when a package directory is loaded.
   * The default runs built code; tests pass ['source', 'default'] to load TypeScript sources.
   */
  conditions?: readonly string[];
}

/**
 * Loads a third-party plugin named in attache.yaml: a path (file or package
 * directory, relative to the config file) or a package name (looked up in the
 * node_modules directories above the config file, then by Node's own
 * resolution). The module's default export or `plugin` export must be a
 * definePlugin() result.
 */
export async function loadPluginModule(specifier: string, options: LoadPluginOptions): Promise<Plugin> {
  const conditions = options.conditions ?? ['default'];
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  let url: string;
  if (isPath) {
    const target = resolve(options.baseDir, specifier);
    if (!existsSync(target))
      throw new ConfigError(`plugin module '${specifier}' not found (looked for ${target})`);
    url = pathToFileURL(statSync(target).isDirectory() ? packageEntry(target, conditions) : target).href;
  } else {
    const dir = findPackageDir(specifier, options.baseDir);
    url = dir ? pathToFileURL(packageEntry(dir, conditions)).href : specifier;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(url);
  } catch (e) {
    throw new ConfigError(`cannot load plugin module '${specifier}': ${(e as Error).message}`);
  }
  const candidate = isPlugin(mod.default) ? mod.default : mod.plugin;
  if (!isPlugin(candidate)) {
    throw new ConfigError(
      `plugin module '${specifier}' exports no plugin; export the definePlugin() result as default or as 'plugin'`,
    );
  }
  return candidate;
}

function findPackageDir(name: string, from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The file a package directory's "." export (or main) points to, by the first condition that exists. */
function packageEntry(dir: string, conditions: readonly string[]): string {
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) {
    const index = ['index.js', 'index.mjs'].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (index) return index;
    throw new ConfigError(`plugin directory ${dir} has neither a package.json nor an index.js`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: unknown;
    main?: string;
    name?: string;
  };
  const root = rootExport(manifest.exports);
  const tried: string[] = [];
  for (const condition of conditions) {
    const target =
      typeof root === 'string' ? root : (root as Record<string, unknown> | undefined)?.[condition];
    if (typeof target !== 'string') continue;
    const file = join(dir, target);
    tried.push(file);
    if (existsSync(file)) return file;
  }
  if (manifest.main && existsSync(join(dir, manifest.main))) return join(dir, manifest.main);
  throw new ConfigError(
    `plugin package ${manifest.name ?? dir} has no entry file for conditions ${conditions.join(', ')}${tried.length ? ` (tried ${tried.join(', ')}; is it built?)` : ''}`,
  );
}

function rootExport(exports: unknown): unknown {
  if (typeof exports === 'string' || exports === undefined) return exports;
  if (exports && typeof exports === 'object' && '.' in exports)
    return (exports as Record<string, unknown>)['.'];
  return exports;
}
