import * as nodeFs from 'node:fs';
import { extname, join } from 'node:path';
import { compareStrings } from '@attache/core';

const resourceExtensions = new Set(['.yaml', '.yml', '.json']);

/** Whether a file name is one the source reads (editor backups, locks and hidden files are not). */
export function isResourceFile(name: string): boolean {
  return (
    resourceExtensions.has(extname(name).toLowerCase()) && !name.startsWith('.') && !name.startsWith('#')
  );
}

/** The file-system calls listing uses; tests give their own to make a directory fail as root cannot. */
export interface ListingFs {
  readdirSync(path: string): Entry[];
  /** Follows symbolic links. */
  statSync(path: string): { isDirectory(): boolean; isFile(): boolean };
  realpathSync(path: string): string;
}

/** A directory entry as `readdirSync(…, { withFileTypes: true })` gives it. */
export interface Entry {
  name: string;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

export const nodeListingFs: ListingFs = {
  readdirSync: (path) => nodeFs.readdirSync(path, { withFileTypes: true }),
  statSync: (path) => nodeFs.statSync(path),
  realpathSync: (path) => nodeFs.realpathSync(path),
};

export interface Listing {
  /** Every resource file found, sorted. */
  files: string[];
  /** Paths given that do not exist. */
  missing: string[];
  /**
   * Directories that exist but could not be listed (permissions, I/O): the
   * files last seen under them are unknown, not gone.
   */
  unreadable: Array<{ dir: string; error: string }>;
  /** Symbolic links that lead back into a directory already being walked (or to themselves). */
  loops: string[];
  /** Every directory listed (as reached, through links too): what a watcher watches. */
  dirs: string[];
}

/**
 * Every resource file under the given absolute paths: a file is taken as
 * given (whatever its extension), a directory recursively, following
 * symbolic links — a Kubernetes ConfigMap mounted as a directory is files
 * linked through `..data` — with each real directory walked once, so a link
 * loop ends the walk there. Sorted, so the first of two duplicates is the
 * same on every machine.
 */
export function listResourceFiles(paths: readonly string[], fs: ListingFs = nodeListingFs): Listing {
  const listing: Listing = { files: [], missing: [], unreadable: [], loops: [], dirs: [] };
  const files = new Set<string>();
  for (const path of paths) {
    let stat: ReturnType<ListingFs['statSync']>;
    try {
      stat = fs.statSync(path);
    } catch (e) {
      if (errorCode(e) === 'ELOOP') listing.loops.push(path);
      else listing.missing.push(path);
      continue;
    }
    if (stat.isDirectory()) walk(path, files, listing, fs, new Set());
    else files.add(path);
  }
  listing.files = [...files].sort(compareStrings);
  return listing;
}

/** `ancestors` holds the real paths of the directories being walked above this one. */
function walk(dir: string, into: Set<string>, listing: Listing, fs: ListingFs, ancestors: Set<string>): void {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch (e) {
    if (errorCode(e) === 'ELOOP') listing.loops.push(dir);
    return; // removed while we looked: the next change event rescans
  }
  if (ancestors.has(real)) {
    listing.loops.push(dir);
    return;
  }
  let entries: Entry[];
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    const code = errorCode(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      listing.unreadable.push({ dir, error: (e as Error).message });
    }
    return; // removed while we looked: the next change event rescans
  }
  listing.dirs.push(dir);
  const below = new Set(ancestors).add(real);
  for (const entry of entries) {
    const name = entry.name;
    // Hidden entries are skipped: among them a ConfigMap's `..data` and
    // `..<timestamp>` directories, whose files the visible links already name.
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    let stat: Pick<Entry, 'isDirectory' | 'isFile'> = entry;
    if (entry.isSymbolicLink()) {
      try {
        stat = fs.statSync(full); // what the link leads to
      } catch (e) {
        if (errorCode(e) === 'ELOOP') listing.loops.push(full);
        continue; // a dangling link, or removed while we looked
      }
    }
    if (stat.isDirectory()) walk(full, into, listing, fs, below);
    else if (stat.isFile() && isResourceFile(name)) into.add(full);
  }
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}
