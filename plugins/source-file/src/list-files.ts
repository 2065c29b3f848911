import { type Dirent, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { compareStrings } from '@attache/core';

const resourceExtensions = new Set(['.yaml', '.yml', '.json']);

/** Whether a file name is one the source reads (editor backups, locks and hidden files are not). */
export function isResourceFile(name: string): boolean {
  return (
    resourceExtensions.has(extname(name).toLowerCase()) && !name.startsWith('.') && !name.startsWith('#')
  );
}

/**
 * Every resource file under the given absolute paths: a file is taken as
 * given (whatever its extension), a directory recursively. Sorted, so the
 * first of two duplicates is the same on every machine.
 */
export function listResourceFiles(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(path);
    } catch {
      missing.push(path);
      continue;
    }
    if (stat.isDirectory()) walk(path, files);
    else files.add(path);
  }
  return { files: [...files].sort(compareStrings), missing };
}

function walk(dir: string, into: Set<string>): void {
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // removed while we looked: the next change event rescans
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, into);
    else if (entry.isFile() && isResourceFile(entry.name)) into.add(full);
  }
}
