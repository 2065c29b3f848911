import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The docs a user reads — README.md, docs/, examples/, deploy/ — stand on
 * their own: they never send the reader to the project's private `shared/`
 * folder (design notes, conformance corpus), which a clone does not have, and
 * every relative link they make points at a file of the repository.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .filter((name) => name !== 'node_modules' && name !== 'dist')
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return filesUnder(path, pattern);
      return pattern.test(name) ? [path] : [];
    });
}

const userDocs = [
  join(repoRoot, 'README.md'),
  ...filesUnder(join(repoRoot, 'docs'), /\.md$/),
  ...filesUnder(join(repoRoot, 'examples'), /\.(md|ya?ml|json|ts)$/),
  ...filesUnder(join(repoRoot, 'deploy'), /\.ya?ml$/),
];

describe('user documentation', () => {
  it('never points at the shared/ folder', () => {
    const hits = userDocs.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(repoRoot, file)}:${i + 1}` }))
        .filter(({ line }) => /(^|[\s`'"(/.])shared\/|\.\.\/shared\b|\b(DESIGN|STYLE)\.md\b/.test(line))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    );
    expect(hits).toEqual([]);
  });

  it('links only to files that exist', () => {
    const broken = userDocs
      .filter((file) => file.endsWith('.md'))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
          .map((m) => m[1]!)
          .filter((target) => !/^[a-z]+:|^#|^\/\//i.test(target))
          .filter((target) => !existsSync(resolve(dirname(file), target.replace(/#.*$/, ''))))
          .map((target) => `${relative(repoRoot, file)}: ${target}`),
      );
    expect(broken).toEqual([]);
  });
});
