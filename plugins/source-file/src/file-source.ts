import { type FSWatcher, lstatSync, statSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { DiagnosticInput, Source, SourceContext, StoredResource } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import { type ListingFs, listResourceFiles, nodeListingFs } from './list-files.js';
import { isUnder, listingDiagnostics } from './listing-diagnostics.js';
import { displayPath, readResourceFile } from './read-paths.js';

export const FileSourceConfigSchema = Type.Object(
  {
    paths: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'files or directories (read recursively), relative to the config file',
    }),
    watch: Type.Boolean({ default: true, description: 're-read on change' }),
    debounceMs: Type.Integer({
      minimum: 0,
      default: 50,
      description: 'quiet time after a change before re-reading',
    }),
  },
  { additionalProperties: false },
);

export type FileSourceConfig = Static<typeof FileSourceConfigSchema>;

interface FileState {
  text: string | undefined;
  /** inode, size and times at the last read: equal means unchanged, so a rescan skips re-reading it. */
  stamp: string;
  /** What the store holds for this file: its last contents that parsed. */
  lastGood: StoredResource[];
  /** Whether the last read reported a problem (then it says so itself). */
  failed: boolean;
}

/** The store partition for diagnostics about the paths themselves (not any one file). */
const pathsPartition = 'source-file:paths';

/**
 * One store partition per file. A rescan re-lists the paths and re-reads the
 * files whose text changed: new files appear, deleted ones are emptied, and a
 * file that no longer parses keeps its last good resources plus a
 * SOURCE_ERROR naming file and line.
 */
export function createFileSource(
  ctx: SourceContext<FileSourceConfig>,
  fs: ListingFs = nodeListingFs,
): Source {
  const roots = ctx.config.paths.map((p) => resolve(ctx.baseDir, p));
  const files = new Map<string, FileState>();
  const watchers: FSWatcher[] = [];
  /** One non-recursive watch per directory under a directory root, kept in step with each rescan. */
  const dirWatchers = new Map<string, FSWatcher>();
  let watching = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** Path problems already logged, so a loop or an empty path is logged once, not on every change. */
  let logged = new Set<string>();
  let lastPathText = '[]';

  const rescan = () => {
    const listing = listResourceFiles(roots, fs);
    if (watching) syncDirWatchers(listing.dirs);
    const presentSet = new Set(listing.files);
    const unreadable = (file: string) => listing.unreadable.some((u) => isUnder(file, u.dir));
    for (const file of [...files.keys()]) {
      if (presentSet.has(file)) continue;
      // Under a directory that cannot be listed, a file is unknown, not gone:
      // it keeps its last good contents, as an unreadable file does.
      if (unreadable(file)) continue;
      files.delete(file);
      ctx.store.replace(file, []);
      ctx.logger.info({ file: displayPath(file) }, 'file removed');
    }
    for (const file of listing.files) {
      const state = files.get(file);
      const stamp = fileStamp(file);
      if (state && stamp !== '' && stamp === state.stamp) continue;
      const parsed = readResourceFile(file);
      if (state && parsed.text !== undefined && parsed.text === state.text) {
        state.stamp = stamp; // touched, not changed
        continue;
      }
      const lastGood = parsed.syntaxError ? (state?.lastGood ?? []) : parsed.resources;
      files.set(file, { text: parsed.text, stamp, lastGood, failed: parsed.diagnostics.length > 0 });
      ctx.store.replace(file, lastGood, parsed.diagnostics);
      if (parsed.syntaxError)
        ctx.logger.warn({ file: displayPath(file) }, 'file does not parse; keeping its last good contents');
      else ctx.logger.debug({ file: displayPath(file), resources: lastGood.length }, 'file read');
    }
    const resourcesByFile = new Map<string, number>();
    const failedFiles = new Set<string>();
    for (const [file, state] of files) {
      resourcesByFile.set(file, state.lastGood.length);
      if (state.failed) failedFiles.add(file);
    }
    const pathDiagnostics: DiagnosticInput[] = [
      ...listing.missing.map((root) => ({
        code: 'SOURCE_WARNING',
        severity: 'warning' as const,
        message: `${displayPath(root)}: does not exist (yet); it is read as soon as it appears`,
      })),
      ...listingDiagnostics(
        roots,
        listing,
        { resourcesByFile, failedFiles },
        (p) => displayPath(p),
        'the files last read under it keep their last good contents',
      ),
    ];
    const pathText = JSON.stringify(pathDiagnostics);
    // Written only when it changes: every write to the store means a recompile.
    if (pathText !== lastPathText) ctx.store.replace(pathsPartition, [], pathDiagnostics);
    lastPathText = pathText;
    const now = new Set<string>();
    for (const d of pathDiagnostics) {
      now.add(d.message);
      if (logged.has(d.message)) continue;
      if (d.code === 'SOURCE_ERROR') ctx.logger.error({ problem: d.message }, 'cannot read a watched path');
      else ctx.logger.warn({ problem: d.message }, 'watched path problem');
    }
    logged = now;
  };

  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) rescan();
    }, ctx.config.debounceMs);
  };

  /**
   * Node 20's `recursive` watch on Linux watches each file by inode, so after an
   * editor saves by renaming a temp file over the original it never reports that
   * file again (seen: the in-place edits after one rename-style save were lost).
   * A watch on a directory reports every entry's change, including renames over
   * it, so each directory is watched on its own; new and removed directories are
   * picked up by the rescan that their parent's event triggers.
   */
  const syncDirWatchers = (dirs: readonly string[]) => {
    const wanted = new Set(dirs);
    for (const [dir, watcher] of dirWatchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      dirWatchers.delete(dir);
    }
    for (const dir of wanted) {
      if (dirWatchers.has(dir)) continue;
      try {
        const watcher = watch(dir, () => schedule());
        watcher.on('error', () => {
          // The directory went away: the rescan its parent's event triggers drops this watch.
          schedule();
        });
        dirWatchers.set(dir, watcher);
      } catch (e) {
        ctx.logger.warn(
          { err: e, path: displayPath(dir) },
          'cannot watch directory; changes will not be picked up',
        );
      }
    }
  };

  const watchRoot = (root: string) => {
    // Watching a file's directory rather than the file survives editors that
    // save by writing a temp file and renaming it over the original (the old
    // inode, and a watch on it, go away). Directories are watched recursively.
    // A directory root is watched directory by directory (syncDirWatchers); here its
    // parent, so a root that is removed and created again is seen.
    const isDir = isDirectory(root);
    const target = dirname(root);
    // A file that is a symbolic link (a ConfigMap key mounted as a file) changes
    // when the link it goes through (`..data`) is swapped: any event counts.
    const only = !isDir && isSymbolicLink(root) ? undefined : basename(root);
    try {
      const watcher = watch(target, (_event, name) => {
        if (only && name !== null && basename(name.toString()) !== only) return;
        schedule();
      });
      watcher.on('error', (e) => ctx.logger.warn({ err: e, path: target }, 'watch failed'));
      watchers.push(watcher);
    } catch (e) {
      ctx.logger.warn({ err: e, path: target }, 'cannot watch path; changes will not be picked up');
    }
  };

  return {
    async start() {
      watching = ctx.config.watch;
      rescan();
      ctx.store.synced();
      if (ctx.config.watch) for (const root of roots) watchRoot(root);
      ctx.logger.info(
        { paths: roots.map((r) => displayPath(r)), files: files.size, watch: ctx.config.watch },
        'file source started',
      );
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers.length = 0;
      for (const w of dirWatchers.values()) w.close();
      dirWatchers.clear();
    },
  };
}

function fileStamp(path: string): string {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '';
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
