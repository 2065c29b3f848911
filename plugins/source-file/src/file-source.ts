import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Source, SourceContext, StoredResource } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import { listResourceFiles } from './list-files.js';
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
}

/**
 * One store partition per file. A rescan re-lists the paths and re-reads the
 * files whose text changed: new files appear, deleted ones are emptied, and a
 * file that no longer parses keeps its last good resources plus a
 * SOURCE_ERROR naming file and line.
 */
export function createFileSource(ctx: SourceContext<FileSourceConfig>): Source {
  const roots = ctx.config.paths.map((p) => resolve(ctx.baseDir, p));
  const files = new Map<string, FileState>();
  const watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const rescan = () => {
    const { files: present, missing } = listResourceFiles(roots);
    for (const root of missing) ctx.logger.warn({ path: root }, 'watched path does not exist (yet)');
    const presentSet = new Set(present);
    for (const file of [...files.keys()]) {
      if (!presentSet.has(file)) {
        files.delete(file);
        ctx.store.replace(file, []);
        ctx.logger.info({ file: displayPath(file) }, 'file removed');
      }
    }
    for (const file of present) {
      const state = files.get(file);
      const stamp = fileStamp(file);
      if (state && stamp !== '' && stamp === state.stamp) continue;
      const parsed = readResourceFile(file);
      if (state && parsed.text !== undefined && parsed.text === state.text) {
        state.stamp = stamp; // touched, not changed
        continue;
      }
      const lastGood = parsed.syntaxError ? (state?.lastGood ?? []) : parsed.resources;
      files.set(file, { text: parsed.text, stamp, lastGood });
      ctx.store.replace(file, lastGood, parsed.diagnostics);
      if (parsed.syntaxError)
        ctx.logger.warn({ file: displayPath(file) }, 'file does not parse; keeping its last good contents');
      else ctx.logger.debug({ file: displayPath(file), resources: lastGood.length }, 'file read');
    }
  };

  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) rescan();
    }, ctx.config.debounceMs);
  };

  const watchRoot = (root: string) => {
    // Watching a file's directory rather than the file survives editors that
    // save by writing a temp file and renaming it over the original (the old
    // inode, and a watch on it, go away). Directories are watched recursively.
    const isDir = isDirectory(root);
    const target = isDir ? root : dirname(root);
    const only = isDir ? undefined : basename(root);
    try {
      const watcher = watch(target, { recursive: isDir }, (_event, name) => {
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
