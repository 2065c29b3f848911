import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { DiagnosticInput, StoredResource } from '@attache/core';
import { type ListingFs, listResourceFiles, nodeListingFs } from './list-files.js';
import { listingDiagnostics } from './listing-diagnostics.js';
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
  fs: ListingFs = nodeListingFs,
): ReadResult {
  const absolute = paths.map((p) => resolve(baseDir, p));
  const listing = listResourceFiles(absolute, fs);
  const resources: StoredResource[] = [];
  const diagnostics: DiagnosticInput[] = listing.missing.map((p) => ({
    code: 'SOURCE_ERROR',
    message: `${displayPath(p, baseDir)}: no such file or directory; check the path given to -f / sources.file.paths`,
  }));
  const resourcesByFile = new Map<string, number>();
  const failedFiles = new Set<string>();
  for (const file of listing.files) {
    const parsed = readResourceFile(file, baseDir);
    resources.push(...parsed.resources);
    diagnostics.push(...parsed.diagnostics);
    resourcesByFile.set(file, parsed.resources.length);
    if (parsed.diagnostics.length > 0) failedFiles.add(file);
  }
  diagnostics.push(
    ...listingDiagnostics(
      absolute,
      listing,
      { resourcesByFile, failedFiles },
      (p) => displayPath(p, baseDir),
      'the files under it are not read',
    ),
  );
  return { resources, diagnostics };
}

/**
 * Reads and parses one file. Whatever is wrong with it — unreadable, not
 * UTF-8, not YAML — comes back as a SOURCE_ERROR naming the file, with
 * `syntaxError` set so a watcher keeps the file's last good contents; nothing
 * a file holds can make this throw.
 */
export function readResourceFile(
  file: string,
  displayBase: string = process.cwd(),
): ReturnType<typeof parseResourceFile> & { text?: string } {
  const shown = displayPath(file, displayBase);
  const failed = (message: string, text?: string) => ({
    resources: [],
    syntaxError: true,
    diagnostics: [{ code: 'SOURCE_ERROR', message: `${shown}${message}` }],
    ...(text !== undefined ? { text } : {}),
  });
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return failed(`: cannot read: ${(e as Error).message}`);
  }
  const decoded = decodeUtf8(bytes);
  if ('invalidAt' in decoded) {
    const { line, column } = decoded.invalidAt;
    return failed(
      `:${line}:${column}: the file is not valid UTF-8 (byte 0x${decoded.byte.toString(16).padStart(2, '0')}); save it as UTF-8 (the last good contents of this file stay in use)`,
      decoded.lossy,
    );
  }
  const text = decoded.text;
  try {
    return { ...parseResourceFile(shown, text, bytes), text };
  } catch (e) {
    return failed(`: cannot be parsed: ${(e as Error).message}`, text);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The file's text, or where its first invalid UTF-8 byte is. Node's 'utf8'
 * decoding would silently put U+FFFD there, and a name or prefix would then
 * hold a character the user never wrote.
 */
function decodeUtf8(
  bytes: Buffer,
): { text: string } | { invalidAt: { line: number; column: number }; byte: number; lossy: string } {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const lines = bytes.subarray(0, bad).toString('utf8').split('\n');
    return {
      invalidAt: { line: lines.length, column: lines[lines.length - 1]!.length + 1 },
      byte: bytes[bad] ?? 0,
      lossy: bytes.toString('utf8'),
    };
  }
}

/** Offset of the first byte that starts no valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > b.length) return i;
    for (let k = 1; k < length; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    const second = b[i + 1]!;
    if (
      (c === 0xe0 && second < 0xa0) ||
      (c === 0xed && second >= 0xa0) ||
      (c === 0xf0 && second < 0x90) ||
      (c === 0xf4 && second >= 0x90)
    )
      return i;
    i += length;
  }
  return b.length;
}
