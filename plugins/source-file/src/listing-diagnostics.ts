import { relative, sep } from 'node:path';
import type { DiagnosticInput } from '@attache/core';
import type { Listing } from './list-files.js';

/** What one read (or rescan) of the paths found, beyond the listing itself. */
export interface ReadOutcome {
  /** Resources read per file (for a file that failed: its last good count). */
  resourcesByFile: ReadonlyMap<string, number>;
  /** Files that failed to read or parse: they carry their own SOURCE_ERROR. */
  failedFiles: ReadonlySet<string>;
}

/** Whether `file` is `root` or below it. */
export function isUnder(file: string, root: string): boolean {
  if (file === root) return true;
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}

/**
 * The diagnostics about the paths themselves: a directory that cannot be
 * listed (an error: its files are unknown, not gone), a symbolic link loop,
 * and a path that exists but holds no resources at all (a warning: a
 * ConfigMap mounted somewhere else, a wrong extension, an empty file).
 * `show` names a path as messages do.
 */
export function listingDiagnostics(
  roots: readonly string[],
  listing: Listing,
  outcome: ReadOutcome,
  show: (path: string) => string,
  unreadableEffect: string,
): DiagnosticInput[] {
  const out: DiagnosticInput[] = [];
  for (const { dir, error } of listing.unreadable) {
    out.push({
      code: 'SOURCE_ERROR',
      message: `${show(dir)}: cannot list the directory: ${error}; ${unreadableEffect}`,
    });
  }
  for (const link of [...new Set(listing.loops)]) {
    out.push({
      code: 'SOURCE_WARNING',
      severity: 'warning',
      message: `${show(link)}: symbolic link loop (it leads back to a directory already being read, or to itself); it is skipped`,
    });
  }
  const missing = new Set(listing.missing);
  const loops = new Set(listing.loops);
  for (const root of roots) {
    if (missing.has(root) || loops.has(root)) continue;
    let resources = 0;
    let blocked = false;
    for (const [file, count] of outcome.resourcesByFile) {
      if (!isUnder(file, root)) continue;
      resources += count;
      if (outcome.failedFiles.has(file)) blocked = true;
    }
    if (listing.unreadable.some((u) => isUnder(u.dir, root))) blocked = true;
    if (resources > 0 || blocked) continue;
    out.push({
      code: 'SOURCE_WARNING',
      severity: 'warning',
      message: `${show(root)}: holds no resources (files are read when named .yaml, .yml or .json and not hidden, and each document needs apiVersion, kind and metadata); check the path`,
    });
  }
  return out;
}
