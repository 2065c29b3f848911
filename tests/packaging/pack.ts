import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packing workspace packages the way a release would, and reading the tarballs back. */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: Record<string, string> | string;
  exports?: unknown;
  files?: string[];
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Every workspace package a release would pack: packages/*, plugins/*, apps/*. */
export function workspacePackageDirs(): string[] {
  return ['packages', 'plugins', 'apps']
    .flatMap((group) => readdirSync(join(repoRoot, group)).map((name) => join(repoRoot, group, name)))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .sort();
}

/** `pnpm pack` (which applies publishConfig and rewrites workspace: ranges); returns the tarball path. */
export function pnpmPack(packageDir: string, destination: string): string {
  const manifest = readManifest(join(packageDir, 'package.json'));
  execFileSync('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', destination], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tarball = join(
    destination,
    `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`,
  );
  if (!existsSync(tarball)) throw new Error(`pnpm pack made no ${tarball}`);
  return tarball;
}

export function readManifest(path: string): PackageManifest {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageManifest;
}

/** The manifest inside a tarball (package/package.json). */
export function tarballManifest(tarball: string): PackageManifest {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

/** Paths inside a tarball, relative to its package/ folder. */
export function tarballFiles(tarball: string): Set<string> {
  return new Set(
    execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter((line) => line.startsWith('package/') && !line.endsWith('/'))
      .map((line) => line.slice('package/'.length)),
  );
}

/**
 * The third-party packages a workspace package needs at run time (its
 * dependencies, transitively), as installed here: their real directories.
 * Workspace dependencies are not followed (they get packed themselves).
 */
export function registryDependencyClosure(packageDir: string): string[] {
  const found = new Set<string>();
  const queue = [realpathSync(packageDir)];
  while (queue.length > 0) {
    const dir = queue.pop()!;
    const manifest = readManifest(join(dir, 'package.json'));
    for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
      if (range.startsWith('workspace:')) continue;
      const installed = findInstalled(dir, name);
      if (!installed) throw new Error(`${manifest.name} depends on ${name}, which is not installed`);
      if (!found.has(installed)) {
        found.add(installed);
        queue.push(installed);
      }
    }
  }
  return [...found].sort();
}

/** Node's lookup: `<ancestor>/node_modules/<name>` for every ancestor not itself a node_modules folder. */
function findInstalled(from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * A tarball of an installed registry package, as the registry serves it (its
 * files under package/), so npm can install it with no network. (npm pack
 * would do, but it fails on some installed folders in this layout.)
 */
export function tarInstalledPackage(dir: string, destination: string): string {
  const manifest = readManifest(join(dir, 'package.json'));
  const tarball = join(
    destination,
    `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`,
  );
  // --hard-dereference: the pnpm store hard-links identical files, and npm skips link entries.
  execFileSync('tar', [
    '-czf',
    tarball,
    '--hard-dereference',
    '-C',
    dir,
    '--transform',
    's,^\\.,package,',
    '.',
  ]);
  return tarball;
}
