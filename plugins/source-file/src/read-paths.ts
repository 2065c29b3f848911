import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { DiagnosticInput, StoredResource } from '@attache/core';
import { listResourceFiles } from './list-files.js';
import { parseResourceFile } from './parse-documents.js';

export interface ReadResult {
  resources: StoredResource[];
  diagnostics: DiagnosticInput[];
}

/** How a file is named in origins and messages: relative to the working directory when inside it. */
export function displayPath(absolute: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, absolute);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

/**
 * Reads files and directories once (for `attache compile` and `validate`):
 * every resource with its file and line, and a SOURCE_ERROR for each file that
 * cannot be read or parsed (the others are still read).
 */
export function readResourcesFromPaths(
  paths: readonly string[],
  baseDir: string = process.cwd(),
): ReadResult {
  const absolute = paths.map((p) => resolve(baseDir, p));
  const { files, missing } = listResourceFiles(absolute);
  const resources: StoredResource[] = [];
  const diagnostics: DiagnosticInput[] = missing.map((p) => ({
    code: 'SOURCE_ERROR',
    message: `${displayPath(p, baseDir)}: no such file or directory; check the path given to -f / sources.file.paths`,
  }));
  for (const file of files) {
    const parsed = readResourceFile(file, baseDir);
    resources.push(...parsed.resources);
    diagnostics.push(...parsed.diagnostics);
  }
  return { resources, diagnostics };
}

export function readResourceFile(
  file: string,
  displayBase: string = process.cwd(),
): ReturnType<typeof parseResourceFile> & { text?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      resources: [],
      syntaxError: true,
      diagnostics: [
        {
          code: 'SOURCE_ERROR',
          message: `${displayPath(file, displayBase)}: cannot read: ${(e as Error).message}`,
        },
      ],
    };
  }
  return { ...parseResourceFile(displayPath(file, displayBase), text), text };
}
