import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type PackageManifest,
  pnpmPack,
  readManifest,
  repoRoot,
  tarballFiles,
  tarballManifest,
  workspacePackageDirs,
} from './pack.js';

/**
 * Every workspace package packs into a tarball another project can install:
 * `pnpm pack` (as a release would) rewrites `workspace:` ranges to versions and
 * applies publishConfig, so the packed exports carry no `source` condition
 * (whose TypeScript files are for this repository's tests), and everything the
 * manifest points at — exports, main, types, bin — is in the tarball.
 * Needs a build (`pnpm build`): the tarballs hold dist/.
 */

/** Every file path an exports map names, with the conditions that lead to it. */
function exportTargets(exports: unknown, conditions: string[] = []): Array<{ path: string; via: string }> {
  if (typeof exports === 'string') return [{ path: exports, via: conditions.join(' → ') || '.' }];
  if (exports && typeof exports === 'object')
    return Object.entries(exports).flatMap(([key, value]) => exportTargets(value, [...conditions, key]));
  return [];
}

function conditionNames(exports: unknown): string[] {
  if (!exports || typeof exports !== 'object') return [];
  return Object.entries(exports).flatMap(([key, value]) => [key, ...conditionNames(value)]);
}

function dependencyRanges(manifest: PackageManifest): string[] {
  return (['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const).flatMap(
    (field) => Object.entries(manifest[field] ?? {}).map(([name, range]) => `${field} ${name}@${range}`),
  );
}

const destination = mkdtempSync(join(tmpdir(), 'attache-pack-'));

describe('pnpm pack', () => {
  it.each(workspacePackageDirs().map((dir) => [relative(repoRoot, dir), dir]))(
    '%s packs into an installable tarball',
    (_name, dir) => {
      const source = readManifest(join(dir, 'package.json'));
      const tarball = pnpmPack(dir, destination);
      const packed = tarballManifest(tarball);
      const files = tarballFiles(tarball);

      expect(packed.name).toBe(source.name);
      expect(conditionNames(packed.exports)).not.toContain('source');
      expect(packed.publishConfig).toBeUndefined();
      expect(dependencyRanges(packed).filter((d) => /@workspace:/.test(d))).toEqual([]);
      // Workspace dependencies became this repository's versions.
      for (const [name, range] of Object.entries(source.dependencies ?? {})) {
        if (range.startsWith('workspace:')) {
          const version = readManifest(join(repoRoot, dirOf(name), 'package.json')).version;
          expect(packed.dependencies?.[name], name).toBe(version);
        }
      }

      const targets = [
        ...exportTargets(packed.exports).map((t) => ({ path: t.path, via: `exports ${t.via}` })),
        ...(packed.main ? [{ path: packed.main, via: 'main' }] : []),
        ...(packed.types ? [{ path: packed.types, via: 'types' }] : []),
        ...Object.entries(typeof packed.bin === 'string' ? { bin: packed.bin } : (packed.bin ?? {})).map(
          ([name, path]) => ({ path, via: `bin ${name}` }),
        ),
      ];
      expect(targets.length).toBeGreaterThan(0);
      const missing = targets.filter((t) => !files.has(t.path.replace(/^\.\//, '')));
      expect(missing, `not in ${tarball} (is the package built?)`).toEqual([]);
      expect([...files].filter((f) => /\.test\.(ts|js)$|(^|\/)testdata\//.test(f))).toEqual([]);
    },
    60_000,
  );
});

/** A workspace package's folder by its name. */
function dirOf(name: string): string {
  const dir = workspacePackageDirs().find((d) => readManifest(join(d, 'package.json')).name === name);
  if (!dir) throw new Error(`no workspace package named ${name}`);
  return relative(repoRoot, dir);
}
